#include "count/vocabulary.h"

#include <algorithm>

namespace nightjar {

Vocabulary::Vocabulary(const TermTable& terms, uint64_t min_frequency) {
  terms.ForEach([&](std::string_view, const TermStats& s) { total_ += s.frequency; });
  for (const TermRow& row : terms.Sorted()) {
    if (row.stats.frequency < min_frequency) break;  // sorted by frequency, descending
    rows_.push_back(row);
  }
  ids_ = CountTable(rows_.size());
  for (uint32_t i = 0; i < rows_.size(); ++i) {
    ids_.Add(CountTable::MakeKey(rows_[i].term), i + 1, 0);
  }
}

uint32_t Vocabulary::CountAtLeast(uint64_t frequency) const {
  auto it = std::partition_point(rows_.begin(), rows_.end(),
                                 [&](const TermRow& r) { return r.stats.frequency >= frequency; });
  return static_cast<uint32_t>(it - rows_.begin());
}

}  // namespace nightjar
