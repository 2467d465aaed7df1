#include "count/term_table.h"

#include <algorithm>

namespace nightjar {

void TermTable::Add(std::string_view term, const TermStats& stats) {
  Entry& e = FindOrInsert(term);
  e.stats.frequency += stats.frequency;
  e.stats.doc_frequency += stats.doc_frequency;
}

void TermTable::Merge(const TermTable& other) {
  map_.reserve(map_.size() + other.map_.size() / 2);
  for (const auto& [term, e] : other.map_) Add(term, e.stats);
}

TermStats TermTable::Get(std::string_view term) const {
  auto it = map_.find(term);
  return it == map_.end() ? TermStats{} : it->second.stats;
}

std::vector<TermRow> TermTable::Sorted() const {
  std::vector<TermRow> rows;
  rows.reserve(map_.size());
  for (const auto& [term, e] : map_) rows.push_back(TermRow{term, e.stats});
  std::sort(rows.begin(), rows.end(), [](const TermRow& a, const TermRow& b) {
    if (a.stats.frequency != b.stats.frequency) return a.stats.frequency > b.stats.frequency;
    return a.term < b.term;
  });
  return rows;
}

}  // namespace nightjar
