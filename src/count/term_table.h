#ifndef NIGHTJAR_COUNT_TERM_TABLE_H_
#define NIGHTJAR_COUNT_TERM_TABLE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "count/count_table.h"

namespace nightjar {

// Exact counts for one term.
struct TermStats {
  uint64_t frequency = 0;      // occurrences in the corpus
  uint64_t doc_frequency = 0;  // documents containing the term at least once
};

// A term with its counts, as handed out by TermTable::Sorted().
struct TermRow {
  std::string_view term;
  TermStats stats;
};

// Exact term and document frequencies. Tables merge by addition: Merge is associative and
// commutative, so shards, threads and nightly deltas combine in any order to the same result.
// Not thread-safe: one table per thread, merged at the end. Terms must be non-empty.
class TermTable {
 public:
  TermTable() = default;
  // Pre-sizes for `terms` distinct terms, sparing the rehashes of a growing table.
  explicit TermTable(size_t terms) : table_(terms) {}
  TermTable(TermTable&&) = default;
  TermTable& operator=(TermTable&&) = default;

  // Counts one occurrence of `term` in the document stamped `doc`. Stamps must be non-zero and
  // each document's occurrences consecutive: df rises once per stamp change. Before a stamp
  // counter wraps, call ResetStamps().
  void AddOccurrence(std::string_view term, uint32_t doc) {
    table_.AddOccurrence(CountTable::MakeKey(term), doc);
  }
  // The same with the term already made a key (and prefetched) by the caller.
  void AddOccurrence(const CountTable::Key& term, uint32_t doc) { table_.AddOccurrence(term, doc); }
  void Prefetch(const CountTable::Key& term) const { table_.Prefetch(term); }
  void ResetStamps() { table_.ResetStamps(); }

  // Adds `stats` to `term`'s counts.
  void Add(std::string_view term, const TermStats& stats) {
    table_.Add(CountTable::MakeKey(term), stats.frequency, stats.doc_frequency);
  }
  // Adds every count of `other` to this table.
  void Merge(const TermTable& other) { table_.Merge(other.table_); }
  // The same terms with the same counts.
  bool operator==(const TermTable& other) const { return table_ == other.table_; }

  // Counts for `term`, or all-zero when absent.
  TermStats Get(std::string_view term) const;
  size_t size() const { return table_.size(); }
  size_t MemoryBytes() const { return table_.MemoryBytes(); }
  size_t GrowthPeakBytes() const { return table_.GrowthPeakBytes(); }
  bool WouldGrow(size_t more) const { return table_.WouldGrow(more); }
  void Clear() { table_.Clear(); }
  // Every term, by frequency descending, then term ascending (bytewise): a deterministic order.
  std::vector<TermRow> Sorted() const;

  template <typename Fn>
  void ForEach(Fn&& fn) const {
    table_.ForEach([&](std::string_view term, uint64_t tf, uint64_t df) {
      fn(term, TermStats{tf, df});
    });
  }
  // fn(term, hash, stats) in (CountTable::Hash(term), term) order: see CountTable.
  template <typename Fn>
  void ForEachInHashOrder(Fn&& fn) const {
    table_.ForEachInHashOrder([&](std::string_view term, uint64_t hash, uint64_t tf, uint64_t df) {
      fn(term, hash, TermStats{tf, df});
    });
  }

 private:
  CountTable table_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_TERM_TABLE_H_
