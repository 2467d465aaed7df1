#include "store/dir_store.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/file_util.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Day(int y, int m, int d, int hour = 2) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 0, 0), absl::UTCTimeZone());
}

constexpr char kManifest[] =
    R"({"format":"nightjar-manifest","format_version":1,"lexicons":{"spelling":{"checksum":"CHK"}}})";

// Publishes a version holding `words` as spelling records; returns its name.
std::string Publish(LexiconStore& store, absl::Time now, const std::vector<std::string>& words) {
  auto b = store.Begin(now);
  EXPECT_TRUE(b.ok()) << b.status();
  for (const auto& w : words)
    EXPECT_TRUE((*b)->Append("spelling", "{\"word\":\"" + w + "\"}").ok());
  auto files = (*b)->Seal();
  EXPECT_TRUE(files.ok());
  std::string manifest = kManifest;
  manifest.replace(manifest.find("CHK"), 3, (*files)[0].checksum);
  EXPECT_TRUE((*b)->Publish(manifest).ok());
  return (*b)->version();
}

std::vector<std::string> Scan(LexiconStore& store, const std::string& v, absl::Status* st) {
  std::vector<std::string> out;
  *st = store.ScanLexicon(v, "spelling", [&](std::string_view r) { out.emplace_back(r); });
  return out;
}

TEST(VersionNameTest, DailyNamesWithSuffixes) {
  absl::Time t = Day(2026, 11, 23);
  EXPECT_EQ(NextVersionName(t, {}), "v1.20261123");
  EXPECT_EQ(NextVersionName(t, {"v1.20261122", "v1.20261122.2"}), "v1.20261123");
  EXPECT_EQ(NextVersionName(t, {"v1.20261123"}), "v1.20261123.2");
  EXPECT_EQ(NextVersionName(t, {"v1.20261123", "v1.20261123.2", "v1.20261123.10"}),
            "v1.20261123.11");
  EXPECT_TRUE(IsVersionName("v1.20261123"));
  EXPECT_TRUE(IsVersionName("v1.20261123.2"));
  EXPECT_FALSE(IsVersionName("v1.20261123.1"));
  EXPECT_FALSE(IsVersionName("v1.20261123.02"));
  EXPECT_FALSE(IsVersionName("v1.2026112"));
  EXPECT_FALSE(IsVersionName("v2.20261123"));
  EXPECT_FALSE(IsVersionName("v1.20261123x"));
  EXPECT_FALSE(IsVersionName("../etc"));
}

TEST(DirStoreTest, PublishSwitchesCurrentAndListsInOrder) {
  TempDir dir;
  auto store = LexiconStore::Open("dir:" + dir.path());
  ASSERT_TRUE(store.ok());
  auto none = (*store)->Current();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  std::string v1 = Publish(**store, Day(2026, 11, 23), {"alpha", "beta"});
  std::string v2 = Publish(**store, Day(2026, 11, 23, 5), {"gamma"});
  std::string v3 = Publish(**store, Day(2026, 11, 24), {"delta"});
  EXPECT_EQ(v1, "v1.20261123");
  EXPECT_EQ(v2, "v1.20261123.2");
  EXPECT_EQ(v3, "v1.20261124");
  EXPECT_EQ(**(*store)->Current(), v3);
  EXPECT_THAT(*(*store)->List(), ElementsAre(v1, v2, v3));

  absl::Status st;
  EXPECT_THAT(Scan(**store, v1, &st), ElementsAre(R"({"word":"alpha"})", R"({"word":"beta"})"));
  EXPECT_TRUE(st.ok()) << st;
}

TEST(DirStoreTest, AbandonedBuildPublishesNothingAndKeepsCurrent) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());  // a bare path means dir:
  ASSERT_TRUE(store.ok());
  std::string v1 = Publish(**store, Day(2026, 11, 23), {"alpha"});
  {
    auto b = (*store)->Begin(Day(2026, 11, 24));
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->Append("spelling", "{}").ok());
    // destroyed without Publish, like a run that failed half-way
  }
  EXPECT_EQ(**(*store)->Current(), v1);
  EXPECT_THAT(*(*store)->List(), ElementsAre(v1));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("versions/.building-v1.20261124")));
}

TEST(DirStoreTest, LeftoverBuildingDirectoryFromACrashIsCleanedUp) {
  TempDir dir;
  dir.Write("versions/.building-v1.20261124/spelling.jsonl", "half");
  auto store = LexiconStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->List()->empty());
  std::string v = Publish(**store, Day(2026, 11, 24), {"x"});
  EXPECT_EQ(v, "v1.20261124");
  absl::Status st;
  EXPECT_THAT(Scan(**store, v, &st), ElementsAre(R"({"word":"x"})"));
  EXPECT_TRUE(st.ok());
}

TEST(DirStoreTest, CorruptionIsDetectedOnRead) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  std::string v = Publish(**store, Day(2026, 11, 23), {"alpha", "beta"});
  std::string file = dir.Sub("versions/" + v + "/spelling.jsonl");
  std::string text = *ReadFile(file);
  text[text.size() - 3] = 'X';
  ASSERT_TRUE(WriteFileAtomic(file, text).ok());
  absl::Status st;
  Scan(**store, v, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(st.message()), HasSubstr("checksum"));
}

TEST(DirStoreTest, FormatMagicAndVersionAreChecked) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  std::string v = Publish(**store, Day(2026, 11, 23), {"a"});
  std::string manifest = dir.Sub("versions/" + v + "/MANIFEST.json");
  std::string text = *ReadFile(manifest);
  std::string future = text;
  future.replace(future.find("\"format_version\":1"), 18, "\"format_version\":2");
  ASSERT_TRUE(WriteFileAtomic(manifest, future).ok());
  EXPECT_EQ((*store)->ReadManifest(v).status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(WriteFileAtomic(manifest, "{\"format\":\"other\"}").ok());
  EXPECT_EQ((*store)->ReadManifest(v).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ((*store)->ReadManifest("v1.20991231").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*store)->ReadManifest("../x").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DirStoreTest, UnknownLexiconIsNotFound) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  std::string v = Publish(**store, Day(2026, 11, 23), {"a"});
  absl::Status st = (*store)->ScanLexicon(v, "related", [](std::string_view) {});
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
}

TEST(DirStoreTest, BadUrisFailFast) {
  EXPECT_EQ(LexiconStore::Open("s3://bucket").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LexiconStore::Open("dir:").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DirStoreTest, BadLexiconNamesAreRefused) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  auto b = (*store)->Begin(Day(2026, 11, 23));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE((*b)->Append("../escape", "{}").ok());
  EXPECT_FALSE((*b)->Append("", "{}").ok());
}

}  // namespace
}  // namespace nightjar
