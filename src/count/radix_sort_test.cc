#include "count/radix_sort.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

// Keys of `bits` bits drawn the way pair keys fall: the top bits skewed toward 0 (frequent
// units have small ids), the low bits spread; `dup` of them repeat an earlier key.
template <typename Key>
std::vector<Key> SkewedKeys(size_t n, int bits, std::mt19937_64& rng) {
  std::vector<Key> keys(n);
  std::geometric_distribution<uint64_t> skew(0.01);
  const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const int low = bits / 2;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && rng() % 4 == 0) {
      keys[i] = keys[rng() % i];
      continue;
    }
    const uint64_t high = skew(rng) << low;
    const uint64_t spread = low == 0 ? 0 : rng() & ((uint64_t{1} << low) - 1);
    keys[i] = static_cast<Key>((high | spread) & mask);
  }
  return keys;
}

// (bits, keys, in_cache): LSD only, MSD with one and with several levels, shared top digits.
class RadixSortTest : public ::testing::TestWithParam<std::tuple<int, size_t, size_t>> {};

template <typename Key>
void CheckSorts(int bits, size_t n, size_t in_cache, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Key> keys = SkewedKeys<Key>(n, bits, rng);
  std::vector<Key> want = keys;
  std::sort(want.begin(), want.end());
  std::vector<Key> spare(n);
  const Key* got = RadixSort(keys.data(), spare.data(), n, bits, in_cache);
  ASSERT_TRUE(got == keys.data() || got == spare.data());
  ASSERT_TRUE(std::equal(want.begin(), want.end(), got)) << bits << " bits, " << n << " keys";
}

TEST_P(RadixSortTest, MatchesStdSort) {
  const auto [bits, n, in_cache] = GetParam();
  if (bits <= 32) CheckSorts<uint32_t>(bits, n, in_cache, bits * 1000 + n);
  CheckSorts<uint64_t>(bits, n, in_cache, bits * 1000 + n + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, RadixSortTest,
    ::testing::Values(std::make_tuple(1, 1000, 64), std::make_tuple(8, 5, 64),
                      std::make_tuple(11, 100000, 64), std::make_tuple(12, 100000, 64),
                      std::make_tuple(28, 33, 64), std::make_tuple(28, 200000, kRadixInCache),
                      std::make_tuple(28, 200000, 64), std::make_tuple(32, 300000, 16),
                      std::make_tuple(34, 100000, 1000), std::make_tuple(51, 200000, 512),
                      std::make_tuple(64, 100000, 256), std::make_tuple(63, 2000, 1)));

TEST(RadixSort, SharedTopDigitsAndEqualKeys) {
  // Every key above 2^40 agrees on its top 24 bits: the MSD levels skip them.
  std::mt19937_64 rng(5);
  std::vector<uint64_t> keys(50000);
  for (auto& k : keys) k = (uint64_t{0xABCDEF} << 40) | (rng() % 5000);
  std::vector<uint64_t> want = keys, spare(keys.size());
  std::sort(want.begin(), want.end());
  const uint64_t* got = RadixSort(keys.data(), spare.data(), keys.size(), 64, 128);
  EXPECT_TRUE(std::equal(want.begin(), want.end(), got));
  std::vector<uint32_t> same(40000, 77), spare32(same.size());
  EXPECT_EQ(RadixSort(same.data(), spare32.data(), same.size(), 7, 16)[39999], 77u);
}

TEST(RadixSort, NothingToSort) {
  uint32_t one = 9, spare = 0;
  EXPECT_EQ(RadixSort(&one, &spare, 1, 32), &one);
  EXPECT_EQ(RadixSort(&one, &spare, 0, 32), &one);
}

}  // namespace
}  // namespace nightjar
