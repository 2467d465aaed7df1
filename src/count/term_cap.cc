#include "count/term_cap.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace nightjar {

uint64_t FrequencyLevels::terms() const {
  uint64_t n = 0;
  for (const auto& [f, count] : terms_at_) n += count;
  return n;
}

uint64_t FrequencyLevels::TermsAtLeast(uint64_t frequency) const {
  uint64_t n = 0;
  for (const auto& [f, count] : terms_at_) n += f >= frequency ? count : 0;
  return n;
}

uint64_t FrequencyLevels::MinKept(uint64_t max_terms) const {
  if (max_terms == 0 || terms() <= max_terms) return 1;
  std::vector<std::pair<uint64_t, uint64_t>> levels(terms_at_.begin(), terms_at_.end());
  std::sort(levels.begin(), levels.end(), std::greater<>());
  uint64_t kept = 0, min_kept = std::numeric_limits<uint64_t>::max();
  for (const auto& [frequency, count] : levels) {
    if (kept + count > max_terms) break;
    kept += count;
    min_kept = frequency;
  }
  return min_kept;
}

absl::StatusOr<KeptTerms> LoadMostFrequent(const TermScan& scan, uint64_t max_terms) {
  KeptTerms out;
  if (max_terms > 0) {
    FrequencyLevels levels;
    absl::Status st = scan([&](std::string_view, const TermStats& s) { levels.Add(s.frequency); });
    if (!st.ok()) return st;
    out.distinct = levels.terms();
    out.min_kept = levels.MinKept(max_terms);
    out.terms = TermTable(levels.TermsAtLeast(out.min_kept));
  }
  absl::Status st = scan([&](std::string_view term, const TermStats& s) {
    if (s.frequency >= out.min_kept) out.terms.Add(term, s);
  });
  if (!st.ok()) return st;
  if (max_terms == 0) out.distinct = out.terms.size();
  return out;
}

uint64_t KeepMostFrequent(uint64_t max_terms, TermTable* table) {
  if (max_terms == 0 || table->size() <= max_terms) return 1;
  auto kept = LoadMostFrequent(
      [&](const auto& fn) {
        table->ForEach(fn);
        return absl::OkStatus();
      },
      max_terms);
  *table = std::move(kept->terms);  // an in-memory scan cannot fail
  return kept->min_kept;
}

}  // namespace nightjar
