#ifndef NIGHTJAR_COUNT_NGRAM_TABLE_H_
#define NIGHTJAR_COUNT_NGRAM_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "count/term_table.h"

namespace nightjar {

// Counts for one character n-gram.
struct NgramStats {
  uint64_t frequency = 0;   // occurrences, weighted by the frequency of each term holding it
  uint64_t term_count = 0;  // distinct terms holding it at least once
};

struct NgramRow {
  std::string_view ngram;
  int n = 0;  // length in characters, boundary markers included
  NgramStats stats;
};

// Character n-gram statistics over folded terms padded with boundary markers: "search" with
// n = 3 gives "<se", "sea", ..., "ch>". A pure function of a TermTable: it is always derived
// from the merged term counts, never merged across shards itself (term_count would double count
// terms two shards share). Not thread-safe.
class NgramTable {
 public:
  static constexpr char kBegin = '<';
  static constexpr char kEnd = '>';

  // Derives the n-grams of every term in `terms` for n in [n_min, n_max], using `threads`
  // threads (each over a disjoint share of the terms).
  static NgramTable FromTerms(const TermTable& terms, int n_min, int n_max, int threads);

  NgramTable() = default;
  NgramTable(NgramTable&&) = default;
  NgramTable& operator=(NgramTable&&) = default;

  NgramStats Get(std::string_view ngram) const;
  size_t size() const { return table_.size(); }
  // By n ascending, then frequency descending, then bytes ascending.
  std::vector<NgramRow> Sorted() const;

  // Grams of at most kDenseChars characters, all from a small alphabet (the boundary markers,
  // a-z, 0-9, apostrophe, hyphen: most grams of most terms), are counted while deriving in a
  // directly indexed array rather than the hash table, and moved into the table at the end.
  static constexpr int kDenseChars = 3;

 private:
  struct DenseGram {
    uint64_t frequency = 0;
    uint64_t term_count = 0;
    uint32_t stamp = 0;
  };
  // Buffers reused from term to term, and the dense counts of one deriving thread.
  struct Scratch {
    std::string padded;
    std::vector<uint32_t> offsets;
    std::vector<CountTable::Key> grams;
    std::vector<uint8_t> symbols;
    std::vector<DenseGram> dense;
  };
  // Adds the n-grams of one term occurring `frequency` times; `stamp` is unique per term.
  void AddTerm(std::string_view term, uint64_t frequency, uint32_t stamp, int n_min, int n_max,
               Scratch& scratch);
  // Adds scratch.dense's counts to the table.
  void AddDense(const Scratch& scratch);

  CountTable table_;
};

// Number of characters (code points) in valid UTF-8 `s`.
int CountChars(std::string_view s);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_NGRAM_TABLE_H_
