#include "count/vocabulary.h"

#include <algorithm>
#include <array>

namespace nightjar {

Vocabulary::Vocabulary(const TermTable& terms, uint64_t min_frequency) : rows_(terms.Sorted()) {
  for (const TermRow& row : rows_) total_ += row.stats.frequency;
  // Sorted by frequency, descending: the rarer rows are the tail.
  rows_.resize(CountAtLeast(min_frequency));
  ids_ = CountTable(rows_.size());
  // Each insert misses the cache: keys are prepared and their slots prefetched a few rows ahead.
  constexpr uint32_t kAhead = 8;
  const auto n = static_cast<uint32_t>(rows_.size());
  std::array<CountTable::Key, kAhead> ahead;
  for (uint32_t i = 0; i < std::min(n, kAhead); ++i) {
    ahead[i] = CountTable::MakeKey(rows_[i].term);
    ids_.Prefetch(ahead[i]);
  }
  for (uint32_t i = 0; i < n; ++i) {
    const CountTable::Key key = ahead[i % kAhead];
    if (i + kAhead < n) {
      ahead[i % kAhead] = CountTable::MakeKey(rows_[i + kAhead].term);
      ids_.Prefetch(ahead[i % kAhead]);
    }
    ids_.Add(key, i + 1, 0);
  }
}

uint32_t Vocabulary::CountAtLeast(uint64_t frequency) const {
  auto it = std::partition_point(rows_.begin(), rows_.end(),
                                 [&](const TermRow& r) { return r.stats.frequency >= frequency; });
  return static_cast<uint32_t>(it - rows_.begin());
}

}  // namespace nightjar
