#include "text/edit_distance.h"

#include "gtest/gtest.h"

namespace nightjar {
namespace {

int D(std::string_view a, std::string_view b, int max = 3) {
  return EditDistance(DecodeUtf8(a), DecodeUtf8(b), max);
}
double Cost(std::string_view typed, std::string_view meant) {
  return TypingCost(DecodeUtf8(typed), DecodeUtf8(meant), 2);
}

TEST(EditDistance, Basics) {
  EXPECT_EQ(D("search", "search"), 0);
  EXPECT_EQ(D("serch", "search"), 1);    // deletion
  EXPECT_EQ(D("seaarch", "search"), 1);  // insertion
  EXPECT_EQ(D("saerch", "search"), 1);   // transposition counts once
  EXPECT_EQ(D("sezrch", "search"), 1);   // substitution
  EXPECT_EQ(D("ca", "abc"), 3);          // OSA: no edit of a transposed pair
  EXPECT_EQ(D("", "abc"), 3);
}

TEST(EditDistance, StopsAtMax) {
  EXPECT_EQ(D("kitten", "sitting", 1), 2);
  EXPECT_EQ(D("a", "abcdef", 2), 3);
}

TEST(EditDistance, CodePointsNotBytes) {
  EXPECT_EQ(D("café", "cafe"), 1);
  EXPECT_EQ(D("naïve", "naive"), 1);
}

TEST(TypingCost, TypicalErrorsAreCheaper) {
  EXPECT_DOUBLE_EQ(Cost("teh", "the"), 0.5);  // transposition
  EXPECT_DOUBLE_EQ(Cost("serach", "search"), 0.5);
  EXPECT_DOUBLE_EQ(Cost("seatch", "search"), 0.5);  // t is next to r
  EXPECT_DOUBLE_EQ(Cost("seamch", "search"), 1.0);  // m is not
  EXPECT_DOUBLE_EQ(Cost("leter", "letter"), 0.5);   // one of a doubled letter
  EXPECT_DOUBLE_EQ(Cost("serch", "search"), 0.75);  // plain deletion
  EXPECT_GT(Cost("abcd", "wxyz"), 2.0);             // beyond the limit
}

}  // namespace
}  // namespace nightjar
