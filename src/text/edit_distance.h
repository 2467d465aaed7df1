#ifndef NIGHTJAR_TEXT_EDIT_DISTANCE_H_
#define NIGHTJAR_TEXT_EDIT_DISTANCE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nightjar {

struct ErrorModel;

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string DecodeUtf8(std::string_view s);

// Damerau–Levenshtein distance in its optimal-string-alignment form (insertions, deletions,
// substitutions and transpositions of adjacent characters, each costing 1), over code points.
// Returns max + 1 as soon as the distance is known to exceed `max`. Pure; thread-safe.
int EditDistance(std::u32string_view a, std::u32string_view b, int max);

// A pattern prepared for many EditDistance calls against it: Hyyrö's (2003) bit-parallel
// optimal string alignment keeps a column of the table in two 64-bit words and advances it by
// a few word operations per character of the text, where the banded table computes 2·max + 1
// cells. Patterns of more than 64 code points fall back to the table. Immutable once built:
// any number of threads may call Distance.
class EditDistancePattern {
 public:
  explicit EditDistancePattern(std::u32string_view pattern);
  // EditDistance(pattern, text, max).
  int Distance(std::u32string_view text, int max) const;

 private:
  // The pattern positions holding `c`, as bits.
  uint64_t Positions(char32_t c) const {
    if (c < ascii_.size()) return ascii_[c];
    for (const auto& [code, bits] : other_) {
      if (code == c) return bits;
    }
    return 0;
  }

  std::u32string pattern_;
  std::array<uint64_t, 128> ascii_{};                 // by ASCII code point
  std::vector<std::pair<char32_t, uint64_t>> other_;  // the other code points of the pattern
};

// The cost of typing `typed` when `intended` was meant, under a model of typing errors: the same
// alignment as EditDistance, each edit priced by `model`'s class for it (text/error_model.h);
// without one, ErrorModel::Default(): a transposition, a doubled or dropped doubled letter, a
// substitution or insertion of a QWERTY neighbour, or a vowel for a vowel costs 0.5; a deletion
// 0.75; any other edit 1. Lower means a more typical typo. Returns max + 1 when the unit distance
// exceeds `max`.
double TypingCost(std::u32string_view typed, std::u32string_view intended, int max);
double TypingCost(std::u32string_view typed, std::u32string_view intended, int max,
                  const ErrorModel& model);

// No single edit costs less than this under the default model, so a pair at unit distance d
// costs at least d times it (the variant miner's bound; learned models may go lower).
inline constexpr double kMinTypingEditCost = 0.5;

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_EDIT_DISTANCE_H_
