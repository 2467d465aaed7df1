#ifndef NIGHTJAR_COUNT_PHRASE_COUNTER_H_
#define NIGHTJAR_COUNT_PHRASE_COUNTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "corpus/document.h"
#include "count/abbreviation_counts.h"
#include "count/field_cache.h"
#include "count/field_reader.h"
#include "count/pair_count_map.h"
#include "count/sorted_pair_counts.h"
#include "count/vocabulary.h"
#include "text/tokenizer.h"

namespace nightjar {

// Word-sequence counts of the second pass over Vocabulary ids below `id_limit`. All merge by
// addition. Bigrams repeat a lot (a corpus's distinct bigrams fit a cache-sized table far more
// often than its trigrams do), so they are hashed; trigrams are counted by sorting.
struct PhraseCounts {
  PhraseCounts() : PhraseCounts(0) {}
  explicit PhraseCounts(uint32_t id_limit);

  // BigramKey(a, b) -> occurrences of the adjacent pair "a b" within a clause, connector words
  // included ("the science": the corrector's context); phrases skip those.
  PairCountMap bigrams;
  // Occurrences of "a b c" within a clause, ids below trigram_limit(): row TrigramRow(a, b),
  // column c.
  SortedPairCounts trigrams;
  AbbreviationCounts abbreviations;

  // min(id_limit, kMaxTrigramId + 1): the ids that form trigrams.
  uint32_t trigram_limit() const { return trigrams.columns(); }
  uint64_t TrigramRow(uint32_t a, uint32_t b) const { return uint64_t{a} * trigram_limit() + b; }
  void AddTrigram(uint32_t a, uint32_t b, uint32_t c) { trigrams.Add(TrigramRow(a, b), c); }
  // The count of "a b"; 0 when absent.
  uint64_t Bigram(uint32_t a, uint32_t b) const;
  // fn(a, b, c, count) for every counted trigram (flushed), by a, then b, then c.
  template <typename Fn>
  void ForEachTrigram(Fn&& fn) const {
    const uint32_t limit = trigram_limit();
    trigrams.ForEach([&](uint64_t row, uint32_t c, uint64_t n) {
      fn(static_cast<uint32_t>(row / limit), static_cast<uint32_t>(row % limit), c, n);
    });
  }
  // Sorts the buffered trigrams into the counts; ForEachTrigram sees only flushed counts.
  void Flush() { trigrams.Flush(); }

  // The sum of `parts` (each flushed, then left empty; all of one id_limit): the bigram maps
  // summed on `threads` threads, the trigram counts merged (linear, a small share of the pass).
  static PhraseCounts Sum(const std::vector<PhraseCounts*>& parts, int threads);
  // Adds every count of `other` (left empty). A default-constructed PhraseCounts is the
  // identity; else both must share their id_limit.
  void Merge(PhraseCounts&& other);
  // The same counts (trigrams flushed).
  bool operator==(const PhraseCounts& other) const {
    return bigrams == other.bigrams && trigrams == other.trigrams &&
           abbreviations == other.abbreviations;
  }
};

// Trigrams are keyed by three 21-bit ids: only the 2^21 most frequent terms form trigrams.
constexpr uint32_t kMaxTrigramId = (1u << 21) - 1;
inline uint64_t BigramKey(uint32_t a, uint32_t b) { return uint64_t{a} << 32 | b; }
inline uint64_t TrigramKey(uint32_t a, uint32_t b, uint32_t c) {
  return uint64_t{a} << 42 | uint64_t{b} << 21 | c;
}

// Words that may sit inside a phrase but never start or end one ("bank of america"), as gensim's
// ENGLISH_CONNECTOR_WORDS.
const std::vector<std::string>& ConnectorWords();

// Counts a document's bigrams and trigrams over the ids of `vocab` below `id_limit` (rarer terms
// break sequences: a pair holding a term seen fewer than min_count times can never be seen
// min_count times) and its abbreviation definitions. Not thread-safe: one per thread; `vocab`
// must outlive it.
class PhraseCounter {
 public:
  PhraseCounter(const TokenizerOptions& options, const Vocabulary& vocab, uint32_t id_limit,
                bool abbreviations);
  void Add(const Document& doc);
  // Counts the bigrams and trigrams of the fields in `cache` (ids resolved): the same counts as
  // Add of the documents it was filled from, abbreviations aside.
  void AddCached(const FieldCache& cache);
  // Also keeps each document's tokenized fields in `cache` (null: none), for the third pass.
  // The cache must outlive the counter's Add calls.
  void KeepFieldsIn(FieldCache* cache) { cache_ = cache; }
  // The counts so far (flushed: their readers see every key added).
  PhraseCounts& counts() {
    counts_.Flush();
    return counts_;
  }

 private:
  // Counts the field's bigrams and trigrams.
  void CountField(const FieldView& field);

  FieldReader reader_;
  FieldIds field_;  // the field being counted
  FieldCache* cache_ = nullptr;
  const Vocabulary& vocab_;
  uint32_t id_limit_;
  std::vector<uint8_t> phrase_word_;  // per id below id_limit_: 1 when it may be in a phrase
  std::vector<uint8_t> connector_;    // per id below id_limit_: 1 for a connector word
  bool abbreviations_;
  PhraseCounts counts_;
  std::vector<uint64_t> bigram_keys_;  // counted in batches: a document's, or ~4096 cached
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_PHRASE_COUNTER_H_
