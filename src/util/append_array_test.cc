#include "util/append_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace nightjar {
namespace {

TEST(AppendArrayTest, AppendsInPlaceUpToItsBound) {
  AppendArray<uint32_t> a(1000);
  ASSERT_EQ(a.max_size(), 1000u);
  const uint32_t* const start = a.data();
  std::vector<uint32_t> chunk(300);
  for (uint32_t round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i < 300; ++i) chunk[i] = round * 300 + i;
    ASSERT_TRUE(a.Append(chunk.data(), chunk.size()));
  }
  EXPECT_EQ(a.data(), start);  // never moved
  // 900 held: 101 more would pass the bound, and nothing of them is appended.
  std::vector<uint32_t> too_many(101, 7);
  EXPECT_FALSE(a.Append(too_many.data(), too_many.size()));
  EXPECT_EQ(a.size(), 900u);
  ASSERT_TRUE(a.Append(too_many.data(), 100));
  EXPECT_FALSE(a.PushBack(1));
  for (uint32_t i = 0; i < 900; ++i) ASSERT_EQ(a[i], i);
  EXPECT_EQ(a[999], 7u);
}

TEST(AppendArrayTest, TruncateGivesPagesBackAsZeros) {
  // Several huge pages' worth, so that Truncate has whole pages to give back.
  const size_t n = size_t{3} << 20;
  AppendArray<uint8_t> a(n);
  std::vector<uint8_t> ones(n, 1);
  ASSERT_TRUE(a.Append(ones.data(), n));
  a.Truncate(1000);
  EXPECT_EQ(a.size(), 1000u);
  EXPECT_EQ(a[999], 1);
  // What was written past the kept pages reads as zero again; appending refills it.
  EXPECT_EQ(a.data()[n - 1], 0);
  ASSERT_TRUE(a.PushBack(5));
  EXPECT_EQ(a[1000], 5);
}

TEST(AppendArrayTest, MovesLeaveAnEmptyArray) {
  AppendArray<uint64_t> a(16);
  ASSERT_TRUE(a.PushBack(42));
  AppendArray<uint64_t> b = std::move(a);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], 42u);
  EXPECT_EQ(a.size(), 0u);      // NOLINT(bugprone-use-after-move): the moved-from state is the test
  EXPECT_FALSE(a.PushBack(1));  // NOLINT(bugprone-use-after-move)
  AppendArray<uint64_t> none(0);
  EXPECT_FALSE(none.PushBack(1));
  EXPECT_TRUE(none.Append(nullptr, 0));
}

}  // namespace
}  // namespace nightjar
