#include "text/edit_distance.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "text/error_model.h"
#include "utf8proc.h"

namespace nightjar {
namespace {

// Generic OSA dynamic programme over costs supplied by the model M. Returns the model's cost of
// the cheapest alignment among those of minimal unit distance, or max + 1.
template <typename Model>
double Align(std::u32string_view a, std::u32string_view b, int max, const Model& m) {
  const size_t n = a.size(), k = b.size();
  if (static_cast<int>(n > k ? n - k : k - n) > max) return max + 1;
  // Each cell holds (unit distance, model cost); compared lexicographically.
  struct Cell {
    int d;
    double c;
    bool operator<(const Cell& o) const { return d != o.d ? d < o.d : c < o.c; }
  };
  // Only cells with |i - j| <= max can lie on an alignment of at most max unit edits, and a
  // cell's value within that band depends only on cells within it (a distance never falls
  // along an alignment), so the others are `far`: the same result for one ~2max+1 cells a row.
  const Cell far{max + 1, 0.0};
  // Three rows and the drop costs, on the stack for the usual word lengths (this runs for
  // every candidate pair the variant miner verifies).
  constexpr size_t kStackRow = 64;
  Cell stack[3][kStackRow + 2];
  double stack_drop[kStackRow];
  const bool on_heap = k + 2 > kStackRow + 2;
  std::vector<Cell> heap(on_heap ? 3 * (k + 2) : 0);
  std::vector<double> heap_drop(on_heap ? k : 0);
  Cell* prev2 = on_heap ? heap.data() : stack[0];
  Cell* prev = on_heap ? heap.data() + (k + 2) : stack[1];
  Cell* cur = on_heap ? heap.data() + 2 * (k + 2) : stack[2];
  double* drop = on_heap ? heap_drop.data() : stack_drop;
  for (size_t j = 0; j < k; ++j) drop[j] = m.Drop(b, j);
  const auto band = static_cast<size_t>(max);
  for (size_t j = 0; j <= k + 1; ++j) prev2[j] = cur[j] = far;
  prev[0] = {0, 0.0};
  for (size_t j = 1; j <= k + 1; ++j) {
    prev[j] = j <= band && j <= k ? Cell{static_cast<int>(j), prev[j - 1].c + drop[j - 1]} : far;
  }
  for (size_t i = 1; i <= n; ++i) {
    const size_t lo = i > band ? i - band : 1, hi = std::min(k, i + band);
    const double extra = m.Extra(a, i - 1);  // a[i - 1] has no counterpart in b
    cur[lo - 1] = lo == 1 ? Cell{static_cast<int>(i), prev[0].c + extra} : far;
    int row_min = cur[lo - 1].d;
    for (size_t j = lo; j <= hi; ++j) {
      Cell best;
      if (a[i - 1] == b[j - 1]) {
        best = prev[j - 1];
      } else {
        best = {prev[j - 1].d + 1, prev[j - 1].c + m.Sub(a[i - 1], b[j - 1])};
      }
      Cell ins{prev[j].d + 1, prev[j].c + extra};              // a has an extra char
      Cell del{cur[j - 1].d + 1, cur[j - 1].c + drop[j - 1]};  // a lacks b's char
      best = std::min({best, ins, del});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != a[i - 2]) {
        best = std::min(best, Cell{prev2[j - 2].d + 1, prev2[j - 2].c + m.Swap()});
      }
      cur[j] = best;
      row_min = std::min(row_min, best.d);
    }
    cur[hi + 1] = far;
    if (row_min > max) return max + 1;
    Cell* t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[k].d > max ? max + 1 : prev[k].c;
}

struct UnitModel {
  double Sub(char32_t, char32_t) const { return 1; }
  double Extra(std::u32string_view, size_t) const { return 1; }
  double Drop(std::u32string_view, size_t) const { return 1; }
  double Swap() const { return 1; }
};

// Costs by the error model's classes (text/error_model.h), as ClassifyEdit names them.
struct TypingModel {
  const ErrorModel& m;
  double Sub(char32_t typed, char32_t meant) const {
    if (typed >= 128 || meant >= 128) {
      return BaseLetter(typed) == BaseLetter(meant) ? kAccentEditCost : kForeignEditCost;
    }
    return m[SubstitutionClass(typed, meant)];
  }
  double Extra(std::u32string_view typed, size_t i) const {
    return typed[i] >= 128 ? kForeignEditCost : m[InsertionClass(typed, i)];
  }
  double Drop(std::u32string_view intended, size_t j) const {
    return intended[j] >= 128 ? kForeignEditCost : m[DeletionClass(intended, j)];
  }
  double Swap() const { return m[EditClass::kSwap]; }
};

}  // namespace

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out.push_back(0xFFFD);
      n = 1;
    } else {
      out.push_back(static_cast<char32_t>(cp));
    }
    p += n;
    left -= n;
  }
  return out;
}

int EditDistance(std::u32string_view a, std::u32string_view b, int max) {
  const size_t n = a.size(), k = b.size();
  constexpr size_t kMaxBanded = 64;
  if (n > kMaxBanded || k > kMaxBanded || max < 0) {
    return static_cast<int>(Align(a, b, max, UnitModel{}));
  }
  const int big = max + 1;
  if (static_cast<int>(n > k ? n - k : k - n) > max) return big;
  // The unit-cost case, banded: only cells with |i - j| <= max can hold a distance <= max, so
  // each row computes at most 2 * max + 1 cells, on the stack; cells next to the band hold `big`.
  int rows[3][kMaxBanded + 2];
  int* prev2 = rows[0];
  int* prev = rows[1];
  int* cur = rows[2];
  for (size_t j = 0; j <= k + 1; ++j) {
    prev2[j] = big;
    prev[j] = std::min(static_cast<int>(j), big);
    cur[j] = big;
  }
  const auto m = static_cast<size_t>(max);
  for (size_t i = 1; i <= n; ++i) {
    const size_t lo = i > m ? i - m : 1;
    const size_t hi = std::min(k, i + m);
    cur[lo - 1] = lo == 1 ? std::min(static_cast<int>(i), big) : big;
    int row_min = cur[lo - 1];
    for (size_t j = lo; j <= hi; ++j) {
      int v = prev[j - 1] + (a[i - 1] != b[j - 1]);
      v = std::min(v, prev[j] + 1);
      v = std::min(v, cur[j - 1] + 1);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != a[i - 2]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = std::min(v, big);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi + 1 <= k) cur[hi + 1] = big;
    if (row_min > max) return big;
    int* t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[k];
}

EditDistancePattern::EditDistancePattern(std::u32string_view pattern) : pattern_(pattern) {
  if (pattern_.size() > 64) return;  // Distance uses the table
  for (size_t i = 0; i < pattern_.size(); ++i) {
    const char32_t c = pattern_[i];
    const uint64_t bit = uint64_t{1} << i;
    if (c < ascii_.size()) {
      ascii_[c] |= bit;
      continue;
    }
    auto it =
        std::find_if(other_.begin(), other_.end(), [c](const auto& e) { return e.first == c; });
    if (it == other_.end()) {
      other_.emplace_back(c, bit);
    } else {
      it->second |= bit;
    }
  }
}

int EditDistancePattern::Distance(std::u32string_view text, int max) const {
  const size_t m = pattern_.size(), n = text.size();
  if (m > 64 || max < 0) return EditDistance(pattern_, text, max);
  const int big = max + 1;
  if (static_cast<int>(m > n ? m - n : n - m) > max) return big;
  if (m == 0) return std::min(static_cast<int>(n), big);
  // Bit i of VP / VN: the table's column rises / falls by one from row i to row i + 1; D0 marks
  // the rows whose diagonal step is free; `dist` follows the last row.
  uint64_t vp = ~uint64_t{0}, vn = 0, d0 = 0, previous = 0;
  const uint64_t last = uint64_t{1} << (m - 1);
  int dist = static_cast<int>(m);
  for (size_t j = 0; j < n; ++j) {
    const uint64_t pm = Positions(text[j]);
    const uint64_t transposed = ((~d0 & pm) << 1) & previous;
    d0 = (((pm & vp) + vp) ^ vp) | pm | vn | transposed;
    uint64_t hp = vn | ~(d0 | vp);
    uint64_t hn = d0 & vp;
    dist += (hp & last) != 0;
    dist -= (hn & last) != 0;
    // Each remaining character lowers the last row by at most one.
    if (dist - static_cast<int>(n - 1 - j) > max) return big;
    hp = hp << 1 | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
    previous = pm;
  }
  return dist <= max ? dist : big;
}

double TypingCost(std::u32string_view typed, std::u32string_view intended, int max) {
  static const ErrorModel kDefault = ErrorModel::Default();
  return Align(typed, intended, max, TypingModel{kDefault});
}

double TypingCost(std::u32string_view typed, std::u32string_view intended, int max,
                  const ErrorModel& model) {
  return Align(typed, intended, max, TypingModel{model});
}

}  // namespace nightjar
