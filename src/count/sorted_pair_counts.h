#ifndef NIGHTJAR_COUNT_SORTED_PAIR_COUNTS_H_
#define NIGHTJAR_COUNT_SORTED_PAIR_COUNTS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "util/zeroed_pages.h"

namespace nightjar {

// Exact counts of (row, column) pairs, gathered by sorting rather than hashing: the third pass's
// co-occurrence and spelling-context counts, millions of increments over a few million distinct
// pairs. Add appends the pair's key (row << column bits | column, 32 bits wide when the bounds
// allow, else 64) to a buffer; a full buffer is radix-sorted, run-length coded and merged into
// the sorted counts held so far. A buffer fills up to the larger of `min_buffer` keys and the
// distinct pairs held, so every increment is sorted once and merged an amortized constant number
// of times. Memory: 8 bytes a distinct pair (12 with 64-bit keys), plus the buffer and, while it
// is sorted, its copy; a hash map of 8-byte slots at its usual load takes 11 to 23 bytes a pair,
// and its increments miss the cache at random where a radix sort's passes stream. Counts are kept
// in 32 bits; a merge that would pass `count_limit` moves the key's count to a side map, so counts
// stay exact. Merging adds, so threads and shards combine in any order. Move-only; not thread-safe:
// one per thread, summed at the end.
class SortedPairCounts {
 public:
  struct Options {
    uint64_t rows = 0;             // rows are below this; rows x columns below 2^64
    uint32_t columns = 0;          // columns are below this
    size_t min_buffer = 8u << 20;  // keys buffered before the first sort (at least 1)
    // Largest count a slot holds; the rest goes to the side map. Only tests lower it.
    uint32_t count_limit = std::numeric_limits<uint32_t>::max();
  };

  SortedPairCounts() : SortedPairCounts(Options{}) {}
  explicit SortedPairCounts(const Options& options);
  // A moved-from object is empty, with the same bounds.
  SortedPairCounts(SortedPairCounts&& other) noexcept;
  SortedPairCounts& operator=(SortedPairCounts&& other) noexcept;
  SortedPairCounts(const SortedPairCounts&) = delete;
  SortedPairCounts& operator=(const SortedPairCounts&) = delete;

  // count(row, column) += 1. row < rows and column < columns (checked in debug builds only).
  void Add(uint64_t row, uint32_t column) {
    if (buffered_ == buffer_capacity_) Flush();
    const uint64_t key = row << column_bits_ | column;
    if (wide_) {
      static_cast<uint64_t*>(buffer_.data())[buffered_++] = key;
    } else {
      static_cast<uint32_t*>(buffer_.data())[buffered_++] = static_cast<uint32_t>(key);
    }
  }

  // Sorts what is buffered into the counts. The readers below see only flushed counts.
  void Flush();

  // One count of a run given whole (AddSorted).
  struct Counted {
    uint64_t row = 0;
    uint32_t column = 0;
    uint64_t count = 0;
  };
  // count(row, column) += count for each entry of `run`, which is sorted by row, then column,
  // without repeats (as ForEach hands counts out): counts read back from a file. The run is
  // merged into the flushed counts at once; nothing buffered is touched.
  void AddSorted(const std::vector<Counted>& run);

  // The sum of `parts` (each flushed, then left empty), with the bounds of the first; all parts
  // must share their bounds.
  static SortedPairCounts Sum(const std::vector<SortedPairCounts*>& parts);
  // Adds every count of `other` (both flushed first; `other` is left empty). Counts with no
  // pairs, such as a default-constructed one, are the identity whatever their bounds; else the
  // bounds must agree.
  void Merge(SortedPairCounts&& other);
  // The same flushed pairs with the same counts (buffered ones are not compared: Flush first).
  bool operator==(const SortedPairCounts& other) const;

  // Distinct pairs counted (flushed).
  size_t size() const { return size_; }
  uint64_t rows() const { return options_.rows; }
  uint32_t columns() const { return options_.columns; }
  // The count of (row, column); 0 when absent.
  uint64_t Get(uint64_t row, uint32_t column) const;

  // fn(row, column, count) for every counted pair, by row, then column; the row is passed as a
  // uint64_t (a callback taking uint32_t suits counts whose rows fit one).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    const uint64_t mask = (uint64_t{1} << column_bits_) - 1;
    for (size_t i = 0; i < size_; ++i) {
      const uint64_t key = KeyAt(i);
      fn(key >> column_bits_, static_cast<uint32_t>(key & mask), CountAt(i, key));
    }
  }

 private:
  uint64_t KeyAt(size_t i) const {
    return wide_ ? static_cast<const uint64_t*>(keys_.data())[i]
                 : static_cast<const uint32_t*>(keys_.data())[i];
  }
  uint64_t CountAt(size_t i, uint64_t key) const {
    const uint64_t n = static_cast<const uint32_t*>(counts_.data())[i];
    if (overflow_.empty()) return n;
    auto it = overflow_.find(key);
    return it == overflow_.end() ? n : n + it->second;
  }
  template <typename Key>
  void FlushAs();
  template <typename Key>
  void AddSortedAs(const std::vector<Counted>& run);
  template <typename Key>
  void MergeRun(Key* keys, uint32_t* counts, size_t n);
  void NewBuffer();

  Options options_;
  int column_bits_ = 0;
  int key_bits_ = 0;   // significant bits of a key: the rows' and the columns'
  bool wide_ = false;  // 64-bit keys
  ZeroedPages buffer_;
  size_t buffered_ = 0;
  size_t buffer_capacity_ = 0;
  // The counts: keys ascending, each with its count; room for capacity_ entries.
  ZeroedPages keys_, counts_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  absl::flat_hash_map<uint64_t, uint64_t> overflow_;  // counts past count_limit, by key
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_SORTED_PAIR_COUNTS_H_
