#include "count/pair_count_map.h"

#include <map>
#include <random>
#include <vector>

#include "count/key_count_map_testing.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

uint64_t PairKey(uint64_t a, uint64_t b) { return a << 32 | b; }

TEST(PairCountMapTest, MatchesAReferenceForSmallAndLargeIds) {
  PairCountMap m;
  std::map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(5);
  std::vector<uint64_t> batch;
  for (int i = 0; i < 100000; ++i) {
    // Mostly ids below 2^16 (one block), some past it in either half, and the edges.
    const bool wide = rng() % 8 == 0;
    const uint64_t a = wide ? rng() % 0xFFFFFFFFULL : rng() % 3000;
    const uint64_t b = rng() % 4 == 0 ? 0x10000 + rng() % 200000 : rng() % 3000;
    uint64_t key = PairKey(a, b);
    if (i % 997 == 0) key = PairKey(0, 0);
    if (i % 1009 == 0) key = PairKey(0xFFFFFFFF, 0xFFFF);
    if (i % 5 == 0) {
      m.Add(key, 3);
      ref[key] += 3;
    } else {
      batch.push_back(key);
      ++ref[key];
    }
    if (batch.size() == 50) {
      m.AddBatch(batch.data(), batch.size());
      batch.clear();
    }
  }
  m.AddBatch(batch.data(), batch.size());
  EXPECT_EQ(m.size(), ref.size());
  EXPECT_EQ(ContentsOf(m), ref);
  for (const auto& [k, c] : ref) ASSERT_EQ(m.Get(k), c) << k;
  EXPECT_EQ(m.Get(PairKey(123456, 7)), 0u);
}

TEST(PairCountMapTest, MergeAddsAcrossBlocks) {
  PairCountMap a, b;
  a.Add(PairKey(1, 2), 4);
  a.Add(PairKey(70000, 2), 1);
  b.Add(PairKey(1, 2), 1);
  b.Add(PairKey(70000, 2), 2);
  b.Add(PairKey(3, 80000), 5);
  b.Add(PairKey(1, 2) | (uint64_t{1} << 16), 6);  // same low halves as (1, 2), another block
  a.Merge(b);
  EXPECT_EQ(ContentsOf(a), (std::map<uint64_t, uint64_t>{{PairKey(1, 2), 5},
                                                         {PairKey(1, 0x10002), 6},
                                                         {PairKey(3, 80000), 5},
                                                         {PairKey(70000, 2), 3}}));
}

TEST(PairCountMapTest, SumOnThreadsAddsAcrossBlocks) {
  std::mt19937_64 rng(5);
  std::vector<PairCountMap> maps(2);
  std::map<uint64_t, uint64_t> ref;
  for (auto& m : maps) {
    for (int i = 0; i < 200000; ++i) {
      // Mostly ids below 2^16 (block 0), some large ones in other blocks.
      const uint64_t a = rng() % 10 == 0 ? rng() % 200000 : rng() % 3000;
      const uint64_t b = rng() % 10 == 0 ? rng() % 200000 : rng() % 3000;
      const uint64_t key = a << 32 | b;
      m.Add(key);
      ref[key] += 1;
    }
  }
  std::vector<PairCountMap*> parts = {&maps[0], &maps[1]};
  const PairCountMap sum = PairCountMap::Sum(parts, 2);
  EXPECT_EQ(sum.size(), ref.size());
  EXPECT_EQ(ContentsOf(sum), ref);
  EXPECT_EQ(maps[0].size() + maps[1].size(), 0u);
}

}  // namespace
}  // namespace nightjar
