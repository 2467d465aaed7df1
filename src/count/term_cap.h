#ifndef NIGHTJAR_COUNT_TERM_CAP_H_
#define NIGHTJAR_COUNT_TERM_CAP_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"
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

// Applies the cap to an in-memory table: removes every term below FrequencyLevels::MinKept.
// Returns that frequency.
uint64_t KeepMostFrequent(uint64_t max_terms, TermTable* table);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_TERM_CAP_H_
