#include "text/edit_distance.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "text/error_model.h"

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
  EXPECT_DOUBLE_EQ(Cost("seatch", "search"), 0.5);      // t is next to r
  EXPECT_DOUBLE_EQ(Cost("seamch", "search"), 1.0);      // m is not
  EXPECT_DOUBLE_EQ(Cost("leter", "letter"), 0.5);       // one of a doubled letter
  EXPECT_DOUBLE_EQ(Cost("serch", "search"), 0.75);      // plain deletion
  EXPECT_GT(Cost("abcd", "wxyz"), 2.0);                 // beyond the limit
  EXPECT_DOUBLE_EQ(Cost("seperate", "separate"), 0.5);  // a vowel for a vowel
}

TEST(TypingCost, ForeignLettersAreNotSlipsButAccentsAre) {
  EXPECT_DOUBLE_EQ(Cost("naïve", "naive"), kAccentEditCost);
  EXPECT_DOUBLE_EQ(Cost("cafe", "café"), kAccentEditCost);
  EXPECT_DOUBLE_EQ(Cost("für", "for"), kForeignEditCost);  // u with umlaut is not o
  EXPECT_DOUBLE_EQ(Cost("tạo", "to"), kForeignEditCost);   // an extra letter off the keyboard
  EXPECT_EQ(ClassifyEdit(DecodeUtf8("für"), DecodeUtf8("for")), std::nullopt);
  EXPECT_EQ(BaseLetter(U'Ü'), U'u');
  EXPECT_EQ(BaseLetter(U'Q'), U'q');
}

// Full optimal-string-alignment table, no band and no early exit: the reference.
int ReferenceOsa(const std::u32string& a, const std::u32string& b) {
  const size_t n = a.size(), k = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(k + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= k; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= k; ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][k];
}

TEST(EditDistance, BandedMatchesFullTable) {
  std::mt19937 rng(11);
  for (int round = 0; round < 50000; ++round) {
    auto random_word = [&] {
      std::u32string s(rng() % 12, U'a');
      for (auto& c : s) c = U'a' + static_cast<char32_t>(rng() % 4);
      return s;
    };
    const std::u32string a = random_word(), b = random_word();
    const int max = static_cast<int>(rng() % 4);
    const int ref = ReferenceOsa(a, b);
    ASSERT_EQ(EditDistance(a, b, max), std::min(ref, max + 1))
        << std::string(a.begin(), a.end()) << " " << std::string(b.begin(), b.end()) << " " << max;
  }
}

TEST(EditDistancePattern, MatchesFullTable) {
  // Small alphabets make transpositions and repeats common; a few code points past ASCII and
  // lengths up to 64 (and one past, which falls back to the table) cover the masks.
  std::mt19937 rng(17);
  const std::u32string letters = U"abcdé\u4e2d";
  for (int round = 0; round < 100000; ++round) {
    const size_t alphabet = 2 + rng() % (letters.size() - 1);
    auto random_word = [&](size_t max_len) {
      std::u32string s(rng() % (max_len + 1), U'a');
      for (auto& c : s) c = letters[rng() % alphabet];
      return s;
    };
    const bool long_words = round % 50 == 0;
    const std::u32string a = random_word(long_words ? 65 : 12);
    const std::u32string b =
        long_words ? a.substr(0, a.size() - std::min<size_t>(a.size(), 1)) + random_word(2)
                   : random_word(12);
    const int max = static_cast<int>(rng() % 5);
    const int ref = ReferenceOsa(a, b);
    const EditDistancePattern pattern(a);
    ASSERT_EQ(pattern.Distance(b, max), std::min(ref, max + 1))
        << a.size() << " " << b.size() << " " << max;
    ASSERT_EQ(pattern.Distance(b, 64), ref);
  }
  EXPECT_EQ(EditDistancePattern(U"ca").Distance(U"abc", 3), 3);  // OSA, not full Damerau
  EXPECT_EQ(EditDistancePattern(U"").Distance(U"abc", 3), 3);
  EXPECT_EQ(EditDistancePattern(U"abc").Distance(U"", 1), 2);
  EXPECT_EQ(EditDistancePattern(U"saerch").Distance(U"search", 2), 1);
}

TEST(TypingCost, BandedMatchesTheWholeTable) {
  // With max = 64 the band covers every cell: the whole table is the reference. Letters next
  // to each other on the keyboard (q w e r s d) and doubled letters exercise every cost.
  std::mt19937 rng(13);
  const std::u32string letters = U"qwersd";
  for (int round = 0; round < 50000; ++round) {
    auto random_word = [&] {
      std::u32string s(1 + rng() % 11, U'a');
      for (auto& c : s) c = letters[rng() % letters.size()];
      return s;
    };
    const std::u32string a = random_word(), b = random_word();
    const int max = static_cast<int>(rng() % 4);
    const int d = ReferenceOsa(a, b);
    const double want = d <= max ? TypingCost(a, b, 64) : max + 1;
    ASSERT_EQ(TypingCost(a, b, max), want)
        << std::string(a.begin(), a.end()) << " " << std::string(b.begin(), b.end()) << " " << max;
  }
}

}  // namespace
}  // namespace nightjar
