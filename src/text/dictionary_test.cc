#include "text/dictionary.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/file_util.h"
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

// A handmade language: "walk" and its -ed form, "NASA" and its -'s form.
void WriteLanguage(const std::string& dir, const std::string& aff_head) {
  ASSERT_TRUE(WriteFileAtomic(dir + "/xx_YY.aff",
                              aff_head + "SFX D Y 1\nSFX D 0 ed .\nSFX S Y 1\nSFX S 0 's .\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/xx_YY.dic", "2\nwalk/D\nNASA/S\n").ok());
}

TEST(DictionaryTest, LoadsHunspellOnlyWhenAskedOrPreloaded) {
  TempDir dir;
  WriteLanguage(dir.path(), "\xEF\xBB\xBFSET UTF-8\n");
  auto d = Dictionary::Open({"xx_YY", dir.path()});
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE((*d)->Preload(2).ok());
  EXPECT_TRUE((*d)->Knows("walked"));
  EXPECT_TRUE((*d)->Knows("nasa"));
  EXPECT_TRUE((*d)->Knows("nasa's"));
  EXPECT_FALSE((*d)->Knows("walks"));
  EXPECT_FALSE((*d)->Knows("nasas"));
  EXPECT_FALSE((*d)->Knows("nasaed"));
}

TEST(DictionaryTest, ADictionaryNotInUtf8FailsAtOpenNamingItsEncoding) {
  for (const std::string head : {"SET ISO8859-1\n", "TRY abc\n"}) {  // the second: the default
    TempDir dir;
    WriteLanguage(dir.path(), head);
    auto d = Dictionary::Open({"xx_YY", dir.path()});
    ASSERT_FALSE(d.ok()) << head;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("ISO8859-1"));
  }
}

}  // namespace
}  // namespace nightjar
