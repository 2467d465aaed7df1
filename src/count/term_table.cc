#include "count/term_table.h"

#include <algorithm>
#include <cstring>

namespace nightjar {

TermStats TermTable::Get(std::string_view term) const {
  TermStats s;
  table_.Get(term, &s.frequency, &s.doc_frequency);
  return s;
}

namespace {

// The first 8 bytes of `term` as a big-endian number (zero-padded): ordering by it orders by those
// bytes, as string_view's compare (unsigned bytes) does.
uint64_t Prefix(std::string_view term) {
  unsigned char bytes[8] = {};
  std::memcpy(bytes, term.data(), std::min<size_t>(8, term.size()));
  uint64_t p = 0;
  for (unsigned char b : bytes) p = p << 8 | b;
  return p;
}

}  // namespace

std::vector<TermRow> TermTable::Sorted() const {
  // Most terms share their frequency with many others (half are seen once), so most comparisons
  // fall to the bytes: compared as an 8-byte prefix first, a memcmp only on a tie.
  struct Keyed {
    uint64_t frequency, prefix;
    TermRow row;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(table_.size());
  ForEach([&](std::string_view term, const TermStats& s) {
    keyed.push_back(Keyed{s.frequency, Prefix(term), TermRow{term, s}});
  });
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.frequency != b.frequency) return a.frequency > b.frequency;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return a.row.term < b.row.term;
  });
  std::vector<TermRow> rows;
  rows.reserve(keyed.size());
  for (const Keyed& k : keyed) rows.push_back(k.row);
  return rows;
}

}  // namespace nightjar
