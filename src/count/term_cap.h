#ifndef NIGHTJAR_COUNT_TERM_CAP_H_
#define NIGHTJAR_COUNT_TERM_CAP_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "count/term_table.h"

namespace nightjar {

// Mining's vocabulary is bounded by a setting (count.max_terms): at most that many terms are
// kept, by whole frequency levels from the most frequent down, so that which terms are kept
// never depends on their bytes or on the order they were counted in. A corpus with fewer
// distinct terms keeps them all.
class FrequencyLevels {
 public:
  void Add(uint64_t frequency) { ++terms_at_[frequency]; }
  uint64_t terms() const;
  uint64_t TermsAtLeast(uint64_t frequency) const;  // terms at or above `frequency`
  // The lowest frequency kept when at most `max_terms` may be (0 = no cap): 1 when every term
  // fits; UINT64_MAX when even the most frequent level holds more than max_terms.
  uint64_t MinKept(uint64_t max_terms) const;

 private:
  absl::flat_hash_map<uint64_t, uint64_t> terms_at_;  // frequency -> terms with it
};

// Yields every term once, fn(term, stats), or fails: a table, spilled runs, a state's column.
using TermScan =
    std::function<absl::Status(const std::function<void(std::string_view, const TermStats&)>& fn)>;

// The terms kept under the cap, and what the cut was.
struct KeptTerms {
  TermTable terms;
  uint64_t distinct = 0;  // terms scanned
  uint64_t min_kept = 1;  // FrequencyLevels::MinKept (1: all kept)
};

// Loads the terms `scan` yields, at most `max_terms` (0 = all) by whole frequency levels: a
// first scan finds the levels (none when max_terms is 0), a second keeps the terms at or above
// the lowest level kept. The one place the cap is applied, whatever holds the counts.
[[nodiscard]] absl::StatusOr<KeptTerms> LoadMostFrequent(const TermScan& scan, uint64_t max_terms);

// Applies the cap to an in-memory table (left as it is when it fits). Returns the lowest
// frequency kept.
uint64_t KeepMostFrequent(uint64_t max_terms, TermTable* table);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_TERM_CAP_H_
