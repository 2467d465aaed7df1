#include "count/key_count_map.h"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "count/key_count_map_testing.h"
#include "count/scatter.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(KeyCountMapTest, MatchesAReferenceMapThroughGrowth) {
  KeyCountMap m;
  std::map<uint64_t, uint64_t> ref;
  std::mt19937_64 rng(7);
  std::vector<uint64_t> batch;
  for (int i = 0; i < 300000; ++i) {
    // Mostly a few thousand hot keys, some spread out, key 0 now and then.
    uint64_t k = rng() % 5 == 0 ? rng() : (rng() % 5000) << 32 | (rng() % 7);
    if (i % 10007 == 0) k = 0;
    if (i % 3 == 0) {
      m.Add(k, 2);
      ref[k] += 2;
    } else {
      batch.push_back(k);
      ref[k] += 1;
    }
    if (batch.size() == 37) {
      m.AddBatch(batch.data(), batch.size());
      batch.clear();
    }
  }
  m.AddBatch(batch.data(), batch.size());
  EXPECT_EQ(m.size(), ref.size());
  EXPECT_EQ(ContentsOf(m), ref);
  for (const auto& [k, c] : ref) ASSERT_EQ(m.Get(k), c);
  EXPECT_EQ(m.Get(0x123456789abcdefULL), 0u);
}

TEST(KeyCountMapTest, MergeAddsAndMovedFromIsEmpty) {
  KeyCountMap a, b;
  a.Add(0, 1);
  a.Add(5, 2);
  b.Add(0, 6);
  b.Add(5, 3);
  b.Add(9, 4);
  a.Merge(b);
  EXPECT_EQ(ContentsOf(a), (std::map<uint64_t, uint64_t>{{0, 7}, {5, 5}, {9, 4}}));
  KeyCountMap c = std::move(a);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  a.Add(1);
  EXPECT_EQ(a.Get(1), 1u);
}

TEST(KeyCountMapTest, MergeOfDisjointMapsKeepsEveryKey) {
  // Per-thread maps shaped like the third pass's (slot << 32 | unit); the target grows mid-merge.
  KeyCountMap a, b;
  std::mt19937_64 rng(11);
  std::vector<uint64_t> keys_a, keys_b;
  for (int i = 0; i < 60000; ++i) keys_a.push_back((rng() % 5000) << 32 | (rng() % 2000));
  for (int i = 0; i < 80000; ++i) keys_b.push_back((rng() % 5000) << 32 | (2000 + rng() % 2000));
  a.AddBatch(keys_a.data(), keys_a.size());
  b.AddBatch(keys_b.data(), keys_b.size());
  const size_t before = a.size();
  a.Merge(b);
  EXPECT_EQ(a.size(), before + b.size());  // the key sets are disjoint
  std::map<uint64_t, uint64_t> want;
  for (uint64_t k : keys_b) ++want[k];
  for (const auto& [k, c] : want) ASSERT_EQ(a.Get(k), c);
}

TEST(KeyCountMap32Test, CountsStayExactPastTheSlotWord) {
  KeyCountMap32 a, b;
  const uint64_t big = uint64_t{1} << 32;
  a.Add(7, big - 2);
  a.Add(7, 1);             // fits the slot: 2^32 - 1
  a.Add(7, 5);             // would wrap: goes to the side map
  a.Add(9, 3 * big + 11);  // more than a slot can hold at all
  a.Add(0, big + 1);       // key 0 keeps its own 64-bit count
  EXPECT_EQ(a.Get(7), big + 4);
  EXPECT_EQ(a.Get(9), 3 * big + 11);
  EXPECT_EQ(a.Get(0), big + 1);
  EXPECT_EQ(a.size(), 3u);
  b.Add(7, big - 1);
  b.Add(8, 1);
  b.Merge(a);  // slot and side-map counts both merge
  EXPECT_EQ(ContentsOf(b), (std::map<uint64_t, uint64_t>{
                               {0, big + 1}, {7, 2 * big + 3}, {8, 1}, {9, 3 * big + 11}}));
  KeyCountMap32 c = std::move(b);
  EXPECT_EQ(c.Get(9), 3 * big + 11);
  EXPECT_EQ(b.Get(9), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
}

TEST(KeyCountMap32Test, MatchesTheWideMapThroughGrowth) {
  KeyCountMap32 narrow;
  KeyCountMap wide;
  std::mt19937_64 rng(3);
  std::vector<uint32_t> keys(200000);
  for (uint32_t& k : keys) k = static_cast<uint32_t>(rng() % 40000) * 7919u;
  narrow.AddBatch(keys.data(), keys.size());
  for (uint32_t k : keys) wide.Add(k);
  EXPECT_EQ(narrow.size(), wide.size());
  EXPECT_EQ(ContentsOf(narrow), ContentsOf(wide));
}

TEST(ScatterStrideTest, VisitsEverySlotOnceAndSpreadsAnyPrefix) {
  for (size_t capacity : {size_t{1}, size_t{2}, size_t{8}, size_t{1} << 10, size_t{1} << 20}) {
    const size_t stride = ScatterStride(capacity);
    std::vector<uint8_t> seen(capacity, 0);
    for (size_t i = 0, j = 0; i < capacity; ++i, j = (j + stride) & (capacity - 1)) ++seen[j];
    for (uint8_t s : seen) ASSERT_EQ(s, 1) << capacity;
    if (capacity < (size_t{1} << 16)) continue;
    // The first fifth of the visits falls evenly on the table's 64 regions: a merge in this
    // order never loads one region of the target much more than the rest.
    std::vector<size_t> per_region(64, 0);
    const size_t prefix = capacity / 5;
    for (size_t i = 0, j = 0; i < prefix; ++i, j = (j + stride) & (capacity - 1)) {
      ++per_region[j / (capacity / 64)];
    }
    for (size_t n : per_region) {
      const double expected = static_cast<double>(prefix) / 64.0;
      EXPECT_NEAR(static_cast<double>(n), expected, std::max(2.0, expected * 0.15)) << capacity;
    }
  }
}

// The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration).
uint64_t InverseOf(uint64_t odd) {
  uint64_t x = odd;
  for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
  return x;
}

TEST(KeyCountMapTest, SumOnThreadsEqualsMergingOneIntoAnother) {
  // Keys whose Fibonacci hash sits just below a half, a third, a quarter and the end of the
  // table, so that in any table of up to 2^24 slots they crowd the last home slot of a thread's
  // share: their probes must run on into the next share (or wrap), the path Sum defers.
  const uint64_t inverse = InverseOf(0x9E3779B97F4A7C15ULL);
  std::vector<uint64_t> crowded;
  for (const long double share : {1.0L / 2, 1.0L / 3, 2.0L / 3, 1.0L / 4, 3.0L / 4, 1.0L}) {
    const auto h = static_cast<uint64_t>(share * 18446744073709551615.0L) - (uint64_t{1} << 40);
    for (uint64_t i = 0; i < 40; ++i) crowded.push_back((h + i) * inverse);
  }
  std::mt19937_64 rng(11);
  for (int threads : {1, 2, 3, 4}) {
    std::vector<KeyCountMap> maps(3);
    std::map<uint64_t, uint64_t> ref;
    for (size_t m = 0; m < maps.size(); ++m) {
      for (int i = 0; i < 120000; ++i) {
        // Overlapping key ranges across the maps, key 0 in some.
        uint64_t k = rng() % 200000 + 1;
        if (i % 50000 == 0 && m != 1) k = 0;
        const uint64_t n = 1 + rng() % 3;
        maps[m].Add(k, n);
        ref[k] += n;
      }
      for (uint64_t k : crowded) {
        maps[m].Add(k, m + 1);
        ref[k] += m + 1;
      }
    }
    std::vector<KeyCountMap*> parts;
    parts.reserve(maps.size());
    for (auto& m : maps) parts.push_back(&m);
    const KeyCountMap sum = KeyCountMap::Sum(parts, threads);
    EXPECT_EQ(sum.size(), ref.size()) << threads;
    EXPECT_EQ(ContentsOf(sum), ref) << threads;
    for (const auto& [k, c] : ref) ASSERT_EQ(sum.Get(k), c) << threads;
    for (const auto& m : maps) EXPECT_EQ(m.size(), 0u);
  }
}

TEST(KeyCountMap32Test, SumStaysExactPastTheSlotWord) {
  KeyCountMap32 a, b;
  a.Add(5, 3'000'000'000);
  b.Add(5, 3'000'000'000);
  b.Add(5, 2'000'000'000);  // b's own count already past 2^32
  a.Add(0, 7);
  b.Add(9, 1);
  std::vector<KeyCountMap32*> parts = {&a, &b};
  const KeyCountMap32 sum = KeyCountMap32::Sum(parts, 2);
  EXPECT_EQ(ContentsOf(sum), (std::map<uint64_t, uint64_t>{{0, 7}, {5, 8'000'000'000}, {9, 1}}));
}

}  // namespace
}  // namespace nightjar
