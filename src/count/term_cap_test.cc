#include "count/term_cap.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(FrequencyLevelsTest, KeepsWholeLevelsFromTheTop) {
  FrequencyLevels levels;
  for (uint64_t f : {9, 9, 5, 5, 5, 2, 1, 1, 1, 1}) levels.Add(f);
  EXPECT_EQ(levels.terms(), 10u);
  EXPECT_EQ(levels.MinKept(0), 1u);   // no cap
  EXPECT_EQ(levels.MinKept(10), 1u);  // all fit
  EXPECT_EQ(levels.MinKept(9), 2u);   // the four 1s do not
  EXPECT_EQ(levels.MinKept(6), 2u);
  EXPECT_EQ(levels.MinKept(5), 5u);  // 9,9,5,5,5
  EXPECT_EQ(levels.MinKept(4), 9u);  // the 5s do not fit whole
  EXPECT_EQ(levels.MinKept(1), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(levels.TermsAtLeast(5), 5u);
  EXPECT_EQ(levels.TermsAtLeast(1), 10u);
}

TEST(KeepMostFrequentTest, CapsATableAndLeavesASmallOneAlone) {
  TermTable t;
  for (int i = 1; i <= 100; ++i) t.Add("t" + std::to_string(i), TermStats{uint64_t(i % 10 + 1), 1});
  TermTable same = [&] {
    TermTable c;
    c.Merge(t);
    return c;
  }();
  EXPECT_EQ(KeepMostFrequent(100, &same), 1u);
  EXPECT_TRUE(same == t);
  EXPECT_EQ(KeepMostFrequent(35, &t), 8u);  // ten terms at each of 1..10: 10, 9, 8 fit
  EXPECT_EQ(t.size(), 30u);
  EXPECT_EQ(t.Get("t9").frequency, 10u);
  EXPECT_EQ(t.Get("t6").frequency, 0u);  // frequency 7: left out
}

}  // namespace
}  // namespace nightjar
