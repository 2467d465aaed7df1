#include "store/dir_store.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store_contract_test.h"
#include "util/file_util.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::unique_ptr<TempDir>>& Dirs() {
  static auto* dirs = new std::vector<std::unique_ptr<TempDir>>();  // live for the whole run
  return *dirs;
}

INSTANTIATE_TEST_SUITE_P(Dir, StoreContractTest, ::testing::Values([] {
                           Dirs().push_back(std::make_unique<TempDir>());
                           return "dir:" + Dirs().back()->path();
                         }),
                         [](const auto&) { return std::string("store"); });

// Commits and activates a version holding `words`; returns its name.
std::string Publish(LexiconStore& store, absl::Time now, const std::vector<std::string>& words) {
  std::string v = Commit(store, now, words);
  EXPECT_TRUE(Activate(store, v, now).ok());
  return v;
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

TEST(DirStoreTest, LayoutKeepsFileOrderAndAPointerFile) {
  TempDir dir;
  auto store = LexiconStore::Open("dir:" + dir.path());
  ASSERT_TRUE(store.ok());
  std::string v1 = Publish(**store, Day(2026, 11, 23), {"beta", "alpha"});
  std::string v2 = Publish(**store, Day(2026, 11, 24), {"gamma"});
  absl::Status st;
  EXPECT_THAT(Scan(**store, v1, &st), ElementsAre(R"({"word":"beta"})", R"({"word":"alpha"})"));
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(*ReadFile(dir.Sub("CURRENT")), v2 + "\n" + v1 + "\n");
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("versions/" + v1 + "/STATUS.json")));
  EXPECT_THAT(*ReadFile(dir.Sub("AUDIT.jsonl")), HasSubstr("\"version\":\"" + v2 + "\""));
}

TEST(DirStoreTest, LeftoverBuildingDirectoryFromACrashIsCleanedUp) {
  TempDir dir;
  dir.Write("versions/.building-v1.20261124/spelling.jsonl", "half");
  auto store = LexiconStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->List()->empty());
  EXPECT_FALSE((*store)->Current()->has_value());
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
}

TEST(DirStoreTest, BadUrisFailFast) {
  EXPECT_EQ(LexiconStore::Open("s3://bucket").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LexiconStore::Open("dir:").status().code(), absl::StatusCode::kInvalidArgument);
  // A regular file where the directory should be is bad usage, not a runtime failure.
  TempDir dir;
  const std::string file = dir.Write("not-a-dir", "x");
  auto st = LexiconStore::Open("dir:" + file).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), HasSubstr("is not a directory"));
}

TEST(DirStoreTest, WhatACrashedDeleteLeftIsRemovedByTheNextBegin) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  std::string old = Publish(**store, Day(2026, 11, 20), {"a"});
  std::string keep = Publish(**store, Day(2026, 11, 21), {"b"});
  // A Delete killed after hiding the version and removing part of it: the state it leaves.
  const std::string hidden = dir.Sub("versions/.deleting-" + old);
  ASSERT_EQ(::rename(dir.Sub("versions/" + old).c_str(), hidden.c_str()), 0);
  std::filesystem::remove(hidden + "/STATUS.json");
  ASSERT_TRUE(std::filesystem::exists(hidden));
  EXPECT_EQ(Names(*(*store)->List()), (std::vector<std::string>{keep}));
  auto b = (*store)->Begin(Day(2026, 11, 22));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(std::filesystem::exists(hidden));
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("versions/" + keep)));
}

TEST(DirStoreTest, BadLexiconNamesAreRefused) {
  TempDir dir;
  auto store = LexiconStore::Open(dir.path());
  auto b = (*store)->Begin(Day(2026, 11, 23));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE((*b)->Append("../escape", "k", "{}").ok());
  EXPECT_FALSE((*b)->Append("", "k", "{}").ok());
}

}  // namespace
}  // namespace nightjar
