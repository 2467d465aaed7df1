#include "count/vocabulary.h"

#include <algorithm>

namespace nightjar {

Vocabulary::Vocabulary(const TermTable& terms, uint64_t min_frequency) : terms_(&terms) {
  std::vector<uint32_t> slots;
  rows_ = terms.Sorted(&slots);
  for (const TermRow& row : rows_) total_ += row.stats.frequency;
  // Sorted by frequency, descending: the rarer terms are the tail, without ids.
  const auto kept = std::partition_point(rows_.begin(), rows_.end(), [&](const TermRow& r) {
    return r.stats.frequency >= min_frequency;
  });
  rows_.erase(kept, rows_.end());
  rows_.shrink_to_fit();
  id_of_slot_.assign(terms.slots(), kNone);
  for (uint32_t id = 0; id < rows_.size(); ++id) id_of_slot_[slots[id]] = id;
}

uint32_t Vocabulary::CountAtLeast(uint64_t frequency) const {
  auto it = std::partition_point(rows_.begin(), rows_.end(),
                                 [&](const TermRow& r) { return r.stats.frequency >= frequency; });
  return static_cast<uint32_t>(it - rows_.begin());
}

}  // namespace nightjar
