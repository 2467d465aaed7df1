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
#include "count/key_count_map.h"
#include "count/pair_count_map.h"
#include "count/vocabulary.h"
#include "text/tokenizer.h"

namespace nightjar {

// Word-sequence counts of the second pass, keyed by Vocabulary ids. All merge by addition.
struct PhraseCounts {
  // (a << 32 | b) -> occurrences of the adjacent pair "a b" within a clause.
  PairCountMap bigrams;
  // TrigramKey(a, b, c) -> occurrences of "a b c" within a clause.
  KeyCountMap trigrams;
  AbbreviationCounts abbreviations;

  // The sum of `parts` (each left empty), its maps summed on `threads` threads.
  static PhraseCounts Sum(const std::vector<PhraseCounts*>& parts, int threads);
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
  PhraseCounts& counts() { return counts_; }

 private:
  // Appends the field's bigram and trigram keys to bigram_keys_ and trigram_keys_.
  void CollectKeys(const FieldView& field);

  FieldReader reader_;
  FieldIds field_;  // the field being counted
  FieldCache* cache_ = nullptr;
  const Vocabulary& vocab_;
  uint32_t id_limit_;
  std::vector<uint8_t> phrase_word_;  // per id below id_limit_: 1 when it may be in a phrase
  std::vector<uint8_t> connector_;    // per id below id_limit_: 1 for a connector word
  bool abbreviations_;
  PhraseCounts counts_;
  std::vector<uint64_t> bigram_keys_, trigram_keys_;  // a document's, counted as one batch
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_PHRASE_COUNTER_H_
