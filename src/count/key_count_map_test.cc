#include "count/key_count_map.h"

#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

std::map<uint64_t, uint64_t> Contents(const KeyCountMap& m) {
  std::map<uint64_t, uint64_t> out;
  m.ForEach([&](uint64_t k, uint64_t c) { out[k] += c; });
  return out;
}

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
  EXPECT_EQ(Contents(m), ref);
  for (const auto& [k, c] : ref) ASSERT_EQ(m.Get(k), c);
  EXPECT_EQ(m.Get(0x123456789abcdefULL), 0u);
}

TEST(KeyCountMapTest, MergeAddsAndMovedFromIsEmpty) {
  KeyCountMap a, b;
  a.Add(0, 1);
  a.Add(5, 2);
  b.Add(5, 3);
  b.Add(9, 4);
  a.Merge(b);
  EXPECT_EQ(Contents(a), (std::map<uint64_t, uint64_t>{{0, 1}, {5, 5}, {9, 4}}));
  KeyCountMap c = std::move(a);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  a.Add(1);
  EXPECT_EQ(a.Get(1), 1u);
}

}  // namespace
}  // namespace nightjar
