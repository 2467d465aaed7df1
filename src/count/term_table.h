#ifndef NIGHTJAR_COUNT_TERM_TABLE_H_
#define NIGHTJAR_COUNT_TERM_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "count/arena.h"
#include "count/string_hash.h"

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
// Not thread-safe: one table per thread, merged at the end.
class TermTable {
 public:
  TermTable() = default;
  // Pre-sizes for `terms` distinct terms, sparing the rehashes of a growing table.
  explicit TermTable(size_t terms) { map_.reserve(terms); }
  TermTable(TermTable&&) = default;
  TermTable& operator=(TermTable&&) = default;
  TermTable(const TermTable&) = delete;
  TermTable& operator=(const TermTable&) = delete;

  // Counts one occurrence of `term` in the document stamped `doc`. Stamps must be non-zero and
  // each document's occurrences consecutive: df rises once per stamp change.
  void AddOccurrence(std::string_view term, uint64_t doc) {
    Entry& e = FindOrInsert(term);
    ++e.stats.frequency;
    if (e.last_doc != doc) {
      e.last_doc = doc;
      ++e.stats.doc_frequency;
    }
  }

  // Adds `stats` to `term`'s counts.
  void Add(std::string_view term, const TermStats& stats);
  // Adds every count of `other` to this table.
  void Merge(const TermTable& other);

  // Counts for `term`, or all-zero when absent.
  TermStats Get(std::string_view term) const;
  size_t size() const { return map_.size(); }
  // Every term, by frequency descending, then term ascending (bytewise): a deterministic order.
  std::vector<TermRow> Sorted() const;

  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [term, e] : map_) fn(term, e.stats);
  }

 private:
  struct Entry {
    TermStats stats;
    uint64_t last_doc = 0;
  };
  // The entry for `term`, inserted zeroed (its key copied to the arena) when absent.
  Entry& FindOrInsert(std::string_view term) {
    auto it = map_.lazy_emplace(term, [&](const auto& ctor) { ctor(arena_.Store(term), Entry{}); });
    return it->second;
  }
  StringArena arena_;
  absl::flat_hash_map<std::string_view, Entry, StringHash, StringEq> map_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_TERM_TABLE_H_
