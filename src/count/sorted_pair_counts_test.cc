#include "count/sorted_pair_counts.h"

#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

using Contents = std::map<std::pair<uint64_t, uint32_t>, uint64_t>;

Contents ContentsOf(const SortedPairCounts& c) {
  Contents out;
  std::pair<uint64_t, uint32_t> last{0, 0};
  bool first = true;
  c.ForEach([&](uint64_t row, uint32_t column, uint64_t n) {
    const std::pair<uint64_t, uint32_t> key{row, column};
    EXPECT_TRUE(first || last < key) << "not in (row, column) order or repeated";
    first = false;
    last = key;
    EXPECT_GT(n, 0u);
    out[key] += n;
  });
  return out;
}

SortedPairCounts::Options Bounds(uint64_t rows, uint32_t columns, size_t min_buffer) {
  SortedPairCounts::Options o;
  o.rows = rows;
  o.columns = columns;
  o.min_buffer = min_buffer;
  return o;
}

TEST(SortedPairCounts, EmptyCountsNothing) {
  SortedPairCounts c(Bounds(10, 10, 4));
  c.Flush();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Get(3, 4), 0u);
  EXPECT_TRUE(ContentsOf(c).empty());
  SortedPairCounts d;  // no bounds: still usable for the one pair (0, 0)
  d.Add(0, 0);
  d.Add(0, 0);
  d.Flush();
  EXPECT_EQ(d.Get(0, 0), 2u);
}

// Bounds, buffer size: 32-bit keys, 64-bit keys, one-key and large buffers, a single column.
class SortedPairCountsRandom
    : public ::testing::TestWithParam<std::tuple<uint64_t, uint32_t, size_t>> {};

TEST_P(SortedPairCountsRandom, MatchesAMapHoweverTheBufferFills) {
  const auto [rows, columns, min_buffer] = GetParam();
  std::mt19937_64 rng(rows * 31 + columns + min_buffer);
  SortedPairCounts c(Bounds(rows, columns, min_buffer));
  Contents want;
  // Skewed draws so that some pairs repeat often and most rarely.
  std::geometric_distribution<uint32_t> skew(0.02);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t row = i % 7 == 0    ? rows - 1
                         : i % 13 == 0 ? rows - 1 - skew(rng) % rows
                                       : skew(rng) % rows;
    const uint32_t column = i % 11 == 0 ? columns - 1 : static_cast<uint32_t>(rng() % columns);
    c.Add(row, column);
    ++want[{row, column}];
    if (i == 777) {  // a flush midway changes nothing
      c.Flush();
      EXPECT_EQ(c.Get(row, column), (want[{row, column}]));
    }
  }
  c.Flush();
  EXPECT_EQ(c.size(), want.size());
  EXPECT_EQ(ContentsOf(c), want);
  for (const auto& [key, n] : want) ASSERT_EQ(c.Get(key.first, key.second), n);
  EXPECT_EQ(c.Get(rows - 1, columns - 1), (want[{rows - 1, columns - 1}]));
}

INSTANTIATE_TEST_SUITE_P(
    Bounds, SortedPairCountsRandom,
    ::testing::Values(std::make_tuple(uint64_t{100}, 1000u, size_t{1}),
                      std::make_tuple(uint64_t{100}, 1000u, size_t{64}),
                      std::make_tuple(uint64_t{100}, 1000u, size_t{1} << 20),
                      std::make_tuple(uint64_t{70000}, 70000u, size_t{300}),  // 34 bits: wide keys
                      std::make_tuple(uint64_t{4000000000}, 3000000000u, size_t{1000}),  // 64
                      // Rows past 2^32 (trigram rows: a pair of ids): 42 + 21 bits.
                      std::make_tuple(uint64_t{3} << 40, 2000000u, size_t{500}),
                      std::make_tuple(uint64_t{5}, 1u, size_t{3})));

TEST(SortedPairCounts, SumAddsPartsAndEmptiesThem) {
  std::mt19937 rng(3);
  std::vector<SortedPairCounts> parts;
  parts.reserve(3);
  for (int p = 0; p < 3; ++p) parts.emplace_back(Bounds(50, 50, 100));
  Contents want;
  for (int i = 0; i < 5000; ++i) {
    const uint32_t row = rng() % 50, column = rng() % 50;
    parts[static_cast<size_t>(i % 3 == 0 ? 0 : i % 5 == 0 ? 2 : 1)].Add(row, column);
    ++want[{row, column}];
  }
  std::vector<SortedPairCounts*> ptrs;
  ptrs.reserve(parts.size());
  for (auto& p : parts) ptrs.push_back(&p);
  SortedPairCounts sum = SortedPairCounts::Sum(ptrs);  // parts left unflushed: Sum flushes
  EXPECT_EQ(ContentsOf(sum), want);
  for (const auto& p : parts) EXPECT_EQ(p.size(), 0u);
  // An emptied part counts again.
  parts[0].Add(1, 2);
  parts[0].Flush();
  EXPECT_EQ(parts[0].Get(1, 2), 1u);
}

TEST(SortedPairCounts, CountsPastTheSlotLimitStayExact) {
  SortedPairCounts::Options o = Bounds(4, 4, 5);
  o.count_limit = 3;  // counts past 3 go to the side map
  SortedPairCounts a(o), b(o);
  for (int i = 0; i < 13; ++i) a.Add(1, 1);  // runs of 5 in one buffer pass the limit
  for (int i = 0; i < 4; ++i) a.Add(2, 3);   // two merges of 2 pass it
  for (int i = 0; i < 2; ++i) a.Add(0, 0);
  for (int i = 0; i < 9; ++i) b.Add(1, 1);
  a.Flush();
  EXPECT_EQ(a.Get(1, 1), 13u);
  EXPECT_EQ(a.Get(2, 3), 4u);
  EXPECT_EQ(a.Get(0, 0), 2u);
  std::vector<SortedPairCounts*> parts = {&a, &b};
  const SortedPairCounts sum = SortedPairCounts::Sum(parts);
  EXPECT_EQ(ContentsOf(sum), (Contents{{{0, 0}, 2}, {{1, 1}, 22}, {{2, 3}, 4}}));
}

TEST(SortedPairCounts, ASortedRunReadBackEqualsTheCountsItCameFrom) {
  for (uint64_t rows : {uint64_t{50}, uint64_t{1} << 40}) {  // 32-bit and 64-bit keys
    SortedPairCounts::Options o = Bounds(rows, 50, 16);
    o.count_limit = 20;
    SortedPairCounts original(o), into(o);
    std::mt19937_64 rng(rows);
    for (int i = 0; i < 3000; ++i) original.Add(rng() % 50 * (rows / 50), rng() % 7);
    for (int i = 0; i < 500; ++i) into.Add(rng() % 50 * (rows / 50), rng() % 7);
    original.Flush();
    into.Flush();
    std::vector<SortedPairCounts::Counted> run;
    original.ForEach([&](uint64_t r, uint32_t c, uint64_t n) { run.push_back({r, c, n}); });
    Contents want = ContentsOf(original);
    for (const auto& [key, n] : ContentsOf(into)) want[key] += n;
    into.AddSorted(run);  // merged into counts already there
    into.Add(0, 0);       // and the buffer still counts
    ++want[{0, 0}];
    into.Flush();
    EXPECT_EQ(ContentsOf(into), want) << rows;
    SortedPairCounts fresh(o);
    fresh.AddSorted(run);  // into nothing: the run becomes the counts
    EXPECT_TRUE(fresh == original) << rows;
  }
}

TEST(SortedPairCounts, MovedFromIsEmpty) {
  SortedPairCounts a(Bounds(8, 8, 2));
  for (uint32_t i = 0; i < 8; ++i) a.Add(i, 7 - i);
  SortedPairCounts b = std::move(a);
  b.Flush();
  EXPECT_EQ(b.size(), 8u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  a.Add(3, 3);
  a.Flush();
  EXPECT_EQ(a.Get(3, 3), 1u);
  EXPECT_EQ(b.Get(3, 4), 1u);
}

}  // namespace
}  // namespace nightjar
