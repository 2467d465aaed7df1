#include "refresh/shard_rounds.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refresh/refresher.h"
#include "refresh/shard_parts.h"
#include "refresh/shard_testlib.h"
#include "store/lexicon_store.h"
#include "store/part_store.h"
#include "util/clock.h"
#include "util/file_util.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

using namespace shard_testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(ShardRoundsTest, ShardedRefreshPublishesWhatOneNodePublishes) {
  TempDir dir;
  const std::string corpus = WriteCorpus(dir);
  ASSERT_TRUE(Refresh(Options(dir, corpus, "single")).ok());
  const std::vector<std::string> single = PublishedLexicons("dir:" + dir.Sub("single"));
  ASSERT_GT(single.size(), 100u);
  for (uint32_t n : {1u, 2u, 4u, 8u}) {
    const std::string store = "sharded-" + std::to_string(n);
    auto r = ShardedRefresh(Options(dir, corpus, store), n, "run-" + std::to_string(n));
    ASSERT_TRUE(r.ok()) << n << ": " << r.status();
    EXPECT_EQ(r->corpus.documents, 2400u);
    EXPECT_EQ(PublishedLexicons("dir:" + dir.Sub(store)), single) << n << " shards";
  }
}

TEST(ShardRoundsTest, ARoundRunAgainWritesTheSameBytes) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  ASSERT_TRUE(ShardedRefresh(o, 3, "r1").ok());
  auto parts = PartStore::Open("dir:" + dir.Sub("parts"));
  ASSERT_TRUE(parts.ok());
  o.shard = ShardSettings{"", 1, 3, "dir:" + dir.Sub("parts"), "r1"};
  o.count.threads = 1;  // another pod, another thread count: the same parts
  for (const char* round : {"count", "phrases", "context"}) {
    o.shard.round = round;
    const std::string name = ShardPartName("r1", round, 1, 3);
    const std::optional<std::string> before = *(*parts)->Get(name);
    ASSERT_TRUE(before.has_value()) << name;
    auto again = RunShardRound(o, kStart);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->part, name);
    EXPECT_EQ(*(*parts)->Get(name), before) << round;
  }
}

TEST(ShardRoundsTest, APartMadeFromOtherPartsIsRefused) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  ASSERT_TRUE(ShardedRefresh(o, 2, "r1").ok());
  // The corpus changes and shard 0 is counted again, but the later rounds are not run again:
  // their parts were made from the old count part.
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/f0.jsonl"),
                              R"({"id":"new","body":"a document added since"})"
                              "\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/f1.jsonl"),
                              R"({"id":"new1","body":"a document added since"})"
                              "\n")
                  .ok());
  o.shard = ShardSettings{"count", 0, 2, "dir:" + dir.Sub("parts"), "r1"};
  ASSERT_TRUE(RunShardRound(o, kStart).ok());
  o.shard.index = 1;
  ASSERT_TRUE(RunShardRound(o, kStart).ok());
  o.shard.round = "publish";
  o.shard.index = 0;
  auto r = Refresh(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("counted against other parts of the rounds before"));
}

TEST(ShardRoundsTest, AMissingOrDamagedPartFailsNamingItAndPublishesNothing) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  ASSERT_TRUE(ShardedRefresh(o, 3, "r1").ok());
  auto store = LexiconStore::Open(o.store_uri);
  const auto active = *(*store)->Current();
  auto parts = PartStore::Open("dir:" + dir.Sub("parts"));
  ASSERT_TRUE(parts.ok());
  const std::string name = ShardPartName("r1", "context", 2, 3);
  std::string bytes = **(*parts)->Get(name);
  o.shard = ShardSettings{"publish", 0, 3, "dir:" + dir.Sub("parts"), "r1"};

  bytes[bytes.size() / 2] ^= 0x40;
  ASSERT_TRUE((*parts)->Put(name, bytes).ok());
  auto damaged = Refresh(o);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(damaged.status().message()), HasSubstr(name));

  ASSERT_TRUE((*parts)->RemoveAll("runs/r1/phrases/part-00001-of-00003").ok());
  auto missing = Refresh(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("part runs/r1/phrases/part-00001-of-00003 is missing"));
  EXPECT_EQ(*(*store)->Current(), active);  // nothing published either time
}

TEST(ShardRoundsTest, APublishedRunRemovesOtherRunsPastTheirRetention) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  ASSERT_TRUE(ShardedRefresh(o, 2, "old").ok());
  ASSERT_TRUE(ShardedRefresh(o, 2, "recent").ok());
  auto parts = PartStore::Open("dir:" + dir.Sub("parts"));
  ASSERT_TRUE(parts.ok());
  // "old" was written 8 days before the next run, "recent" 2 days before (retention: 7 days).
  for (const auto& [run, days] : {std::pair<std::string, int>{"old", 8}, {"recent", 2}}) {
    const auto names = (*parts)->List("runs/" + run + "/");
    ASSERT_TRUE(names.ok());
    for (const std::string& name : *names) {
      const timespec t = absl::ToTimespec(kStart - absl::Hours(24 * days));
      const timespec times[2] = {t, t};
      ASSERT_EQ(::utimensat(AT_FDCWD, dir.Sub("parts/" + name).c_str(), times, 0), 0);
    }
  }
  ASSERT_TRUE(ShardedRefresh(o, 2, "now").ok());  // its clock: kStart
  EXPECT_TRUE((*parts)->List("runs/old/")->empty());
  EXPECT_EQ((*parts)->List("runs/recent/")->size(), 6u);
  EXPECT_EQ((*parts)->List("runs/now/")->size(), 6u);
}

TEST(ShardRoundsTest, AnIdTwoShardsHoldIsRefused) {
  TempDir dir;
  // f5 repeats an id of another file; with 16 files over 4 shards, some shard pair holds both.
  const std::string corpus = WriteCorpus(dir, R"({"id":"d0","body":"a second copy"})"
                                              "\n");
  auto r = ShardedRefresh(Options(dir, corpus, "store"), 4, "r1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("1 repeated ids"));
}

TEST(ShardRoundsTest, SettingsAreCheckedBeforeAnythingIsRead) {
  ShardSettings s{"count", 0, 2, "dir:/tmp/x", "r1"};
  EXPECT_TRUE(CheckShardSettings(s).ok());
  for (auto bad :
       {ShardSettings{"select", 0, 2, "dir:/tmp/x", "r1"},
        ShardSettings{"count", 2, 2, "dir:/tmp/x", "r1"}, ShardSettings{"count", 0, 2, "", "r1"},
        ShardSettings{"count", 0, 2, "dir:/tmp/x", "a/b"},
        ShardSettings{"count", 0, 2, "dir:/tmp/x", ""}}) {
    EXPECT_EQ(CheckShardSettings(bad).code(), absl::StatusCode::kInvalidArgument) << bad.round;
  }
}

}  // namespace
}  // namespace nightjar
