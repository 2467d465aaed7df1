#ifndef NIGHTJAR_TEXT_EDIT_DISTANCE_H_
#define NIGHTJAR_TEXT_EDIT_DISTANCE_H_

#include <string>
#include <string_view>

namespace nightjar {

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string DecodeUtf8(std::string_view s);

// Damerau–Levenshtein distance in its optimal-string-alignment form (insertions, deletions,
// substitutions and transpositions of adjacent characters, each costing 1), over code points.
// Returns max + 1 as soon as the distance is known to exceed `max`. Pure; thread-safe.
int EditDistance(std::u32string_view a, std::u32string_view b, int max);

// The cost of typing `typed` when `intended` was meant, under a model of typing errors: the same
// alignment as EditDistance, but a transposition, a doubled or dropped doubled letter, or a
// substitution or insertion of a QWERTY neighbour costs 0.5; a deletion 0.75; any other edit 1.
// Lower means a more typical typo. Returns max + 1 when the unit distance exceeds `max`.
double TypingCost(std::u32string_view typed, std::u32string_view intended, int max);

// No single edit costs less than this under TypingCost, so a pair at unit distance d costs at
// least d times it.
inline constexpr double kMinTypingEditCost = 0.5;

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_EDIT_DISTANCE_H_
