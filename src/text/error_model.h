#ifndef NIGHTJAR_TEXT_ERROR_MODEL_H_
#define NIGHTJAR_TEXT_ERROR_MODEL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nightjar {

// The kinds of single typing errors the channel model tells apart, by what was typed against
// what was meant.
enum class EditClass {
  kNeighbourSub,     // a key next to the meant one (QWERTY)
  kVowelSub,         // a vowel for a vowel (unstressed syllables: seperate, independant)
  kOtherSub,         // any other substitution: the unit the others are measured in
  kDoubledInsert,    // a letter typed twice (untill)
  kNeighbourInsert,  // an extra key next to a neighbouring letter
  kOtherInsert,      // any other extra letter
  kDoubledDrop,      // one of a doubled letter left out (refering)
  kOtherDrop,        // any other letter left out
  kSwap,             // two adjacent letters transposed (athiest)
};
inline constexpr size_t kEditClasses = 9;

// Stable names, as published ("neighbour_substitution", ...).
std::string_view EditClassName(EditClass c);
std::optional<EditClass> EditClassFromName(std::string_view name);

// True for two different keys next to each other on a QWERTY keyboard (letters and digits).
bool KeyboardNeighbours(char32_t a, char32_t b);
bool IsVowel(char32_t c);  // a, e, i, o, u
// `c` without its accents, in lower case (é -> e, Ü -> u); ASCII unchanged but lowered.
char32_t BaseLetter(char32_t c);

// Letters beyond ASCII are not typed by slips of an English keyboard: an edit that inserts,
// drops or substitutes one costs this (more than any typing cost limit: "für" is not "for"
// mistyped, "tạo" not "to"), unless it only changes an accent (naïve / naive), which costs
// kAccentEditCost. Neither is a learned class.
inline constexpr double kForeignEditCost = 2.0;
inline constexpr double kAccentEditCost = 0.5;

// The channel model of the noisy-channel corrector: the cost of each EditClass in units of an
// ordinary substitution (kOtherSub costs 1; lower is a likelier error). A value type.
struct ErrorModel {
  std::array<double, kEditClasses> cost{};

  double operator[](EditClass c) const { return cost[static_cast<size_t>(c)]; }
  double& operator[](EditClass c) { return cost[static_cast<size_t>(c)]; }

  // The generic defaults: transpositions, doubled letters, neighbouring keys and vowel
  // confusions 0.5, a plain deletion 0.75, anything else 1.
  static ErrorModel Default();

  // Brill & Moore-style learning from (typed, meant) pairs one edit apart, smoothed towards
  // `prior`: each class's probability is its count plus prior_edits pseudo-edits spread as the
  // prior would spread them, and a class's cost is that of one specific edit of it (its
  // probability over the edits it could be at one position), relative to kOtherSub's, in
  // units of 1 / typing_weight ln-odds; clamped to [0.25, 1.5]. Pairs of other distances are
  // skipped. With no pairs, `prior` itself.
  static ErrorModel Learn(const std::vector<std::pair<std::u32string, std::u32string>>& pairs,
                          const ErrorModel& prior, double prior_edits, double typing_weight,
                          std::array<uint64_t, kEditClasses>* counts = nullptr);
};

// The class of one edit of an alignment, as both TypingCost and ClassifyEdit see it: `typed`
// for `meant`; typed[i] with no counterpart in the meant word; meant[j] not typed.
EditClass SubstitutionClass(char32_t typed, char32_t meant);
EditClass InsertionClass(std::u32string_view typed, size_t i);
EditClass DeletionClass(std::u32string_view meant, size_t j);

// The class of the one edit that turns `meant` into `typed`; nullopt when they are not exactly
// one edit (of the optimal string alignment) apart, or the edit touches a letter beyond ASCII.
std::optional<EditClass> ClassifyEdit(std::u32string_view typed, std::u32string_view meant);

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_ERROR_MODEL_H_
