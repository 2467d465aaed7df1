#include "text/error_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "utf8proc.h"

namespace nightjar {
namespace {

constexpr const char* kRows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};

struct Keyboard {
  std::array<int, 128> row{}, col{};
  Keyboard() {
    row.fill(-1);
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; kRows[r][c] != 0; ++c) {
        const auto key = static_cast<unsigned char>(kRows[r][c]);
        row[key] = r;
        col[key] = c;
      }
    }
  }
};

const Keyboard& Keys() {
  static const Keyboard k;
  return k;
}

constexpr std::string_view kNames[kEditClasses] = {
    "neighbour_substitution", "vowel_substitution",  "other_substitution",
    "doubled_insertion",      "neighbour_insertion", "other_insertion",
    "doubled_deletion",       "other_deletion",      "transposition"};

// How many distinct edits of each class one position allows, roughly (a QWERTY letter has about
// five neighbours, a vowel four others, ...): a class's probability spread over them is the
// probability of one specific edit, which is what a cost prices.
constexpr double kAlternatives[kEditClasses] = {5, 4, 17, 1, 10, 15, 1, 1, 1};

}  // namespace

std::string_view EditClassName(EditClass c) { return kNames[static_cast<size_t>(c)]; }

std::optional<EditClass> EditClassFromName(std::string_view name) {
  for (size_t i = 0; i < kEditClasses; ++i) {
    if (kNames[i] == name) return static_cast<EditClass>(i);
  }
  return std::nullopt;
}

bool KeyboardNeighbours(char32_t a, char32_t b) {
  if (a >= 128 || b >= 128 || a == b) return false;
  const Keyboard& k = Keys();
  const int ra = k.row[a], rb = k.row[b];
  if (ra < 0 || rb < 0) return false;
  return std::abs(ra - rb) <= 1 && std::abs(k.col[a] - k.col[b]) <= 1;
}

bool IsVowel(char32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

char32_t BaseLetter(char32_t c) {
  if (c < 128) return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
  utf8proc_int32_t out[8];
  int last = 0;
  const auto n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(c), out, 8,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK), &last);
  if (n <= 0) return c;
  return static_cast<char32_t>(utf8proc_tolower(out[0]));
}

ErrorModel ErrorModel::Default() {
  ErrorModel m;
  m[EditClass::kNeighbourSub] = 0.5;
  m[EditClass::kVowelSub] = 0.5;
  m[EditClass::kOtherSub] = 1.0;
  m[EditClass::kDoubledInsert] = 0.5;
  m[EditClass::kNeighbourInsert] = 0.5;
  m[EditClass::kOtherInsert] = 1.0;
  m[EditClass::kDoubledDrop] = 0.5;
  m[EditClass::kOtherDrop] = 0.75;
  m[EditClass::kSwap] = 0.5;
  return m;
}

EditClass SubstitutionClass(char32_t typed, char32_t meant) {
  if (KeyboardNeighbours(typed, meant)) return EditClass::kNeighbourSub;
  if (IsVowel(typed) && IsVowel(meant)) return EditClass::kVowelSub;
  return EditClass::kOtherSub;
}

EditClass InsertionClass(std::u32string_view typed, size_t i) {
  const char32_t c = typed[i];
  const bool doubled = (i > 0 && typed[i - 1] == c) || (i + 1 < typed.size() && typed[i + 1] == c);
  if (doubled) return EditClass::kDoubledInsert;
  const bool near = (i > 0 && KeyboardNeighbours(typed[i - 1], c)) ||
                    (i + 1 < typed.size() && KeyboardNeighbours(typed[i + 1], c));
  return near ? EditClass::kNeighbourInsert : EditClass::kOtherInsert;
}

EditClass DeletionClass(std::u32string_view meant, size_t j) {
  const char32_t c = meant[j];
  const bool doubled = (j > 0 && meant[j - 1] == c) || (j + 1 < meant.size() && meant[j + 1] == c);
  return doubled ? EditClass::kDoubledDrop : EditClass::kOtherDrop;
}

std::optional<EditClass> ClassifyEdit(std::u32string_view typed, std::u32string_view meant) {
  const size_t n = typed.size(), k = meant.size();
  size_t i = 0;
  while (i < n && i < k && typed[i] == meant[i]) ++i;  // the first difference
  if (n == k) {
    if (i == n) return std::nullopt;  // the same
    if (typed.substr(i + 1) == meant.substr(i + 1)) {
      if (typed[i] >= 128 || meant[i] >= 128) return std::nullopt;
      return SubstitutionClass(typed[i], meant[i]);
    }
    if (i + 1 < n && typed[i] == meant[i + 1] && typed[i + 1] == meant[i] &&
        typed.substr(i + 2) == meant.substr(i + 2)) {
      return EditClass::kSwap;
    }
    return std::nullopt;
  }
  if (n == k + 1 && typed.substr(i + 1) == meant.substr(i)) {
    return typed[i] >= 128 ? std::nullopt : std::optional(InsertionClass(typed, i));
  }
  if (k == n + 1 && typed.substr(i) == meant.substr(i + 1)) {
    return meant[i] >= 128 ? std::nullopt : std::optional(DeletionClass(meant, i));
  }
  return std::nullopt;
}

ErrorModel ErrorModel::Learn(const std::vector<std::pair<std::u32string, std::u32string>>& pairs,
                             const ErrorModel& prior, double prior_edits, double typing_weight,
                             std::array<uint64_t, kEditClasses>* counts) {
  std::array<uint64_t, kEditClasses> seen{};
  uint64_t total = 0;
  for (const auto& [typed, meant] : pairs) {
    if (auto c = ClassifyEdit(typed, meant)) {
      ++seen[static_cast<size_t>(*c)];
      ++total;
    }
  }
  if (counts != nullptr) *counts = seen;
  // The prior's class probabilities: one specific edit of class k is exp(-w cost_k) likely
  // relative to the others, and the class has kAlternatives[k] of them.
  std::array<double, kEditClasses> p0{};
  double norm = 0;
  for (size_t k = 0; k < kEditClasses; ++k) {
    p0[k] = kAlternatives[k] * std::exp(-typing_weight * prior.cost[k]);
    norm += p0[k];
  }
  std::array<double, kEditClasses> specific{};  // one specific edit's probability, per class
  for (size_t k = 0; k < kEditClasses; ++k) {
    const double p = (static_cast<double>(seen[k]) + prior_edits * p0[k] / norm) /
                     (static_cast<double>(total) + prior_edits);
    specific[k] = p / kAlternatives[k];
  }
  ErrorModel out;
  const auto unit = static_cast<size_t>(EditClass::kOtherSub);
  for (size_t k = 0; k < kEditClasses; ++k) {
    const double cost = prior.cost[unit] + std::log(specific[unit] / specific[k]) / typing_weight;
    out.cost[k] = std::clamp(cost, 0.25, 1.5);
  }
  return out;
}

}  // namespace nightjar
