#include "refresh/shard_rounds.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "corpus/document_source.h"
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

// Night 2 of the corpus: f3 rewritten (every fifth document replaced by a tombstone, the other
// even ones modified, the rest kept), and 100 new documents in a new file.
void ChangeCorpus(const TempDir& dir) {
  const std::vector<std::string> lines =
      absl::StrSplit(*ReadFile(dir.Sub("corpus/f3.jsonl")), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 150u);
  std::string f3;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string id = "d" + std::to_string(450 + i);
    if (i % 5 == 0) {
      f3 += R"({"id":")" + id +
            R"(","deleted":true})"
            "\n";
    } else if (i % 2 == 0) {
      f3 += R"({"id":")" + id +
            R"(","body":"The serch engine was rebuilt; query logs moved."})"
            "\n";
    } else {
      f3 += lines[i] + "\n";
    }
  }
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/f3.jsonl"), f3).ok());
  std::string added;
  for (int i = 0; i < 100; ++i) {
    added += R"({"id":"n)" + std::to_string(i) +
             R"(","body":"Query expansion (QE) improves recall of the search engine."})"
             "\n";
  }
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/f16.jsonl"), added).ok());
}

// A sharded refresh whose shards keep their states under the store (state.path auto); sums
// the count rounds' state reports into *sum.
absl::StatusOr<RefreshReport> StatefulShardedRefresh(RefreshOptions o, uint32_t count,
                                                     const std::string& run, UpdateReport* sum) {
  o.state.path = "auto";
  std::vector<RoundReport> reports;
  auto published = ShardedRefresh(o, count, run, "", &reports);
  *sum = UpdateReport{};
  for (const RoundReport& r : reports) {
    if (!r.update) continue;
    o.shard = ShardSettings{r.round, r.index, count, "", run};
    EXPECT_EQ(r.state_path, StatePath(o));
    sum->skipped_inputs += r.update->skipped_inputs;
    sum->unchanged += r.update->unchanged;
    sum->added += r.update->added;
    sum->modified += r.update->modified;
    sum->deleted += r.update->deleted;
  }
  return published;
}

TEST(ShardRoundsTest, ShardsWithStatePublishWhatOneNodePublishesNightAfterNight) {
  TempDir dir;
  const std::string corpus = WriteCorpus(dir);
  // Delivered an hour before the night: settled files, which their cursors skip by size and
  // mtime (a file written in the last 2 s is racy and checksummed instead; docs/state.md).
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("corpus"))) {
    std::filesystem::last_write_time(
        e.path(), std::filesystem::last_write_time(e.path()) - std::chrono::hours(1));
  }
  for (int night = 1; night <= 2; ++night) {
    if (night == 2) ChangeCorpus(dir);
    const std::string single = "single-" + std::to_string(night);
    ASSERT_TRUE(Refresh(Options(dir, corpus, single)).ok());
    const std::vector<std::string> want = PublishedLexicons("dir:" + dir.Sub(single));
    for (uint32_t n : {1u, 2u, 4u}) {
      SCOPED_TRACE(testing::Message() << "night " << night << ", " << n << " shards");
      const std::string store = "sharded-" + std::to_string(n);
      UpdateReport sum;
      auto r = StatefulShardedRefresh(Options(dir, corpus, store), n,
                                      "night" + std::to_string(night), &sum);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->corpus.documents, night == 1 ? 2400u : 2470u);
      EXPECT_EQ(PublishedLexicons("dir:" + dir.Sub(store)), want);
      if (night == 1) {
        EXPECT_EQ(sum.added, 2400u);
        continue;
      }
      // Only f3 and the new file were read; f3's changes and the new file were applied.
      EXPECT_EQ(sum.skipped_inputs, 15u);
      EXPECT_EQ(sum.unchanged, 60u);
      EXPECT_EQ(sum.modified, 60u);
      EXPECT_EQ(sum.deleted, 30u);
      EXPECT_EQ(sum.added, 100u);
    }
  }
}

// A JSONL file name, `stem` and a number, that falls in shard `shard` of `count`.
std::string FileOfShard(const TempDir& dir, const std::string& stem, uint32_t shard,
                        uint32_t count) {
  for (int k = 0;; ++k) {
    const std::string name = stem + std::to_string(k) + ".jsonl";
    if (JsonlFileShard(dir.Sub("corpus/" + name), count) == shard) return name;
  }
}

TEST(ShardRoundsTest, APassRoundRefusesAStateChangedSinceItsCountPart) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  UpdateReport sum;
  ASSERT_TRUE(StatefulShardedRefresh(o, 2, "r1", &sum).ok());
  auto parts = PartStore::Open("dir:" + dir.Sub("parts"));
  ASSERT_TRUE(parts.ok());
  const std::string name = ShardPartName("r1", "count", 0, 2);
  const std::string counted = **(*parts)->Get(name);
  // Shard 0 is counted again after a new file, then its old count part is put back.
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/" + FileOfShard(dir, "late", 0, 2)),
                              R"({"id":"late","body":"a document added since"})"
                              "\n")
                  .ok());
  o.shard = ShardSettings{"count", 0, 2, "dir:" + dir.Sub("parts"), "r1"};
  o.state.path = "auto";
  ASSERT_TRUE(RunShardRound(o, kStart).ok());
  ASSERT_TRUE((*parts)->Put(name, counted).ok());
  o.shard.round = "phrases";
  auto stale = RunShardRound(o, kStart);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(stale.status().message()),
              HasSubstr("does not hold the documents part runs/r1/count/part-00000-of-00002"));
  // Without the state, a pass round would read other documents than the ones counted.
  o.state.path.clear();
  auto stateless = RunShardRound(o, kStart);
  ASSERT_FALSE(stateless.ok());
  EXPECT_THAT(std::string(stateless.status().message()), HasSubstr("counted from a state"));
}

TEST(ShardRoundsTest, ATombstoneOfAnIdAnotherShardHoldsIsRefused) {
  TempDir dir;
  RefreshOptions o = Options(dir, WriteCorpus(dir), "store");
  UpdateReport sum;
  ASSERT_TRUE(StatefulShardedRefresh(o, 2, "r1", &sum).ok());
  auto store = LexiconStore::Open(o.store_uri);
  const auto active = *(*store)->Current();
  // d750 is in f5; its tombstone arrives in a file of the other shard.
  const uint32_t other = 1 - JsonlFileShard(dir.Sub("corpus/f5.jsonl"), 2);
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("corpus/" + FileOfShard(dir, "deletes", other, 2)),
                              R"({"id":"d750","deleted":true})"
                              "\n")
                  .ok());
  auto r = StatefulShardedRefresh(o, 2, "r2", &sum);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("1 tombstones of ids another shard"));
  EXPECT_EQ(*(*store)->Current(), active);
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
