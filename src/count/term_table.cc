#include "count/term_table.h"

#include <algorithm>

namespace nightjar {

TermStats TermTable::Get(std::string_view term) const {
  TermStats s;
  table_.Get(term, &s.frequency, &s.doc_frequency);
  return s;
}

std::vector<TermRow> TermTable::Sorted() const {
  std::vector<TermRow> rows;
  rows.reserve(table_.size());
  ForEach([&](std::string_view term, const TermStats& s) { rows.push_back(TermRow{term, s}); });
  std::sort(rows.begin(), rows.end(), [](const TermRow& a, const TermRow& b) {
    if (a.stats.frequency != b.stats.frequency) return a.stats.frequency > b.stats.frequency;
    return a.term < b.term;
  });
  return rows;
}

}  // namespace nightjar
