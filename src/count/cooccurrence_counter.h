#ifndef NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_
#define NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "corpus/document.h"
#include "count/field_cache.h"
#include "count/field_reader.h"
#include "count/phrase_counter.h"
#include "count/sorted_pair_counts.h"
#include "count/vocabulary.h"
#include "text/tokenizer.h"

namespace nightjar {

// Maps the corpus onto the units of the third pass: words and phrases ("machine learning" is
// one unit where it occurs), of which the first `units` get dense unit ids. Immutable once
// built; shared by all threads.
struct UnitMap {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t units = 0;
  std::vector<uint32_t> word_unit;  // Vocabulary id -> unit id or kNone
  // Phrases, as Vocabulary id sequences, -> unit id (kNone for phrases outside the units).
  absl::flat_hash_map<uint64_t, uint32_t> bigram_unit, trigram_unit;
  // Vocabulary id -> kStartsBigram | kStartsTrigram when some phrase starts with the word, so
  // that most positions skip the phrase lookups. Filled by IndexPhraseStarts; while empty,
  // every position is looked up.
  static constexpr uint8_t kStartsBigram = 1, kStartsTrigram = 2;
  std::vector<uint8_t> phrase_starts;
  // The same flags by a hash of a phrase's first two words, two bits a slot in a power-of-two
  // bitset of at most 1 MB: a clear flag means no phrase starts with that pair, so most
  // positions whose first word starts some phrase still skip the map lookups (a set flag may be
  // a collision: the maps decide). Filled by IndexPhraseStarts; while empty, every position
  // whose first word qualifies is looked up.
  std::vector<uint64_t> pair_starts;
  uint8_t PairStarts(uint32_t a, uint32_t b) const {
    const size_t slot = PairSlot(a, b);
    return static_cast<uint8_t>(pair_starts[slot >> 5] >> ((slot & 31) * 2) & 3);
  }
  size_t PairSlot(uint32_t a, uint32_t b) const {
    return static_cast<size_t>((BigramKey(a, b) * 0x9E3779B97F4A7C15ULL) >> 32) &
           (pair_starts.size() * 32 - 1);
  }
  // Fills phrase_starts and pair_starts from the phrase maps; call after filling them.
  void IndexPhraseStarts(size_t vocabulary_size);
  // Vocabulary id -> slot of a word whose contexts the spelling miner compares, or kNone.
  std::vector<uint32_t> spelling_slot;
  // Per slot: an occurrence's contexts are counted when its 32-bit position hash (of document
  // id, field and position: the same whatever the threads or document order) is below this;
  // kKeepAll counts every occurrence. Empty = all slots keep all.
  static constexpr uint32_t kKeepAll = UINT32_MAX;
  std::vector<uint32_t> slot_keep;
};

// The slot_keep threshold that samples about `sample` of a word's `frequency` occurrences;
// sample 0 keeps them all.
uint32_t SampleThreshold(uint64_t frequency, uint64_t sample);

// Third-pass counts. Merge by addition.
struct CooccurrenceCounts {
  // (smaller unit, larger unit) -> times the two units occurred within the window.
  SortedPairCounts pairs;
  // (spelling slot, unit) -> times the unit occurred near the slot's word.
  SortedPairCounts spelling_contexts;
  // Per spelling slot: occurrences, and those written with a capital first letter (names and
  // acronyms are written capitalized; misspellings of a lowercase word mostly are not). Side by
  // side: the third pass updates both for each occurrence, in one cache line.
  struct SlotCase {
    uint64_t occurrences = 0;
    uint64_t capitalized = 0;
    bool operator==(const SlotCase&) const = default;
  };
  std::vector<SlotCase> slot_case;
  // The sum of `parts` (each left empty). `threads` is unused: merging sorted counts is linear
  // and a small share of the pass.
  static CooccurrenceCounts Sum(const std::vector<CooccurrenceCounts*>& parts, int threads);
  // Adds every count of `other` (left empty); as Sum of the two.
  void Merge(CooccurrenceCounts&& other);
  // The same counts (flushed); slot_case compared as if the shorter were padded with zeros.
  bool operator==(const CooccurrenceCounts& other) const;
};

// How the third pass counts. Every field has a default.
struct CooccurrenceOptions {
  int window = 2;           // units on each side that count as co-occurring
  int spelling_window = 3;  // units on each side that form a spelling word's context
  // A spelling word's contexts come from about this many of its occurrences, picked by a hash
  // of document id and position (a sum of thousands of context vectors hardly moves with more,
  // and frequent words' contexts were most of the third pass's work); 0 = every occurrence.
  uint64_t spelling_sample = 500;
};

// Turns each text field into a unit stream (greedy longest phrase first, never across a clause
// break) and counts windowed unit pairs and spelling contexts. Not thread-safe: one per thread;
// `vocab` and `units` must outlive it.
class CooccurrenceCounter {
 public:
  CooccurrenceCounter(const TokenizerOptions& tokenizer, const Vocabulary& vocab,
                      const UnitMap& units, const CooccurrenceOptions& options);
  void Add(const Document& doc);
  // Counts the documents a second-pass PhraseCounter kept (same counts as reading them again).
  void AddCached(const FieldCache& cache);
  // The counts so far (flushed: their readers see every pair added).
  CooccurrenceCounts& counts();

 private:
  void CountField(const FieldView& field);
  // Whether position `i` of the current field is among the sampled occurrences of `slot`.
  bool Sampled(uint32_t slot, size_t i) const;

  FieldReader reader_;
  const UnitMap& units_;
  CooccurrenceOptions options_;
  uint64_t doc_hash_ = 0;         // of the current document's id
  uint64_t field_index_ = 0;      // of the current field in its document
  FieldIds field_;                // the field's vocabulary ids and clause breaks
  std::vector<uint32_t> stream_;  // unit ids (kNone outside the units), one per position
  std::vector<uint32_t> slots_;   // spelling slot per position, or kNone
  CooccurrenceCounts counts_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_
