#include "text/dictionary.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(DictionaryTest, KnowsInflectionsNamesAndAcronymsButNotTypos) {
  auto d = Dictionary::Open({});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->name(), "hunspell:en_US");
  EXPECT_THAT((*d)->checksum(), HasSubstr("xxh3:"));
  for (const char* known : {"the", "classes", "clashes", "happily", "proceeds", "running", "lisa",
                            "thai", "nasa", "unhappy", "mcintosh", "nasa's", "mcintosh's"}) {
    EXPECT_TRUE((*d)->Knows(known)) << known;
  }
  for (const char* unknown : {"teh", "recieve", "athiest", "fur\xc3\xbcr", "kbd", ""}) {
    EXPECT_FALSE((*d)->Knows(unknown)) << unknown;
  }
  EXPECT_THAT((*d)->Stems("walked"), Contains("walk"));
  EXPECT_THAT((*d)->Stems("classes"), Contains("class"));
  EXPECT_TRUE((*d)->Stems("qzxv").empty());
}

TEST(DictionaryTest, AMissingLanguageNamesItsFilesAndPackage) {
  TempDir dir;
  auto d = Dictionary::Open({"xx_YY", dir.path()});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("xx_YY.dic"));
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("hunspell-"));
  EXPECT_FALSE(Dictionary::Open({"../en_US", "/usr/share/hunspell"}).ok());
}

}  // namespace
}  // namespace nightjar
