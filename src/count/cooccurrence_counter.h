#ifndef NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_
#define NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "corpus/document.h"
#include "count/field_reader.h"
#include "count/key_count_map.h"
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
  // Vocabulary id -> slot of a word whose contexts the spelling miner compares, or kNone.
  std::vector<uint32_t> spelling_slot;
};

// Third-pass counts. Merge by addition.
struct CooccurrenceCounts {
  // (min unit << 32 | max unit) -> times the two units occurred within the window.
  KeyCountMap pairs;
  // (spelling slot << 32 | unit) -> times the unit occurred near the slot's word.
  KeyCountMap spelling_contexts;
  // Per spelling slot: occurrences, and those written with a capital first letter (names and
  // acronyms are written capitalized; misspellings of a lowercase word mostly are not).
  std::vector<uint64_t> slot_occurrences, slot_capitalized;
  void Merge(const CooccurrenceCounts& other);
};

// How the third pass counts. Every field has a default.
struct CooccurrenceOptions {
  int window = 2;           // units on each side that count as co-occurring
  int spelling_window = 3;  // units on each side that form a spelling word's context
};

// Turns each text field into a unit stream (greedy longest phrase first, never across a clause
// break) and counts windowed unit pairs and spelling contexts. Not thread-safe: one per thread;
// `vocab` and `units` must outlive it.
class CooccurrenceCounter {
 public:
  CooccurrenceCounter(const TokenizerOptions& tokenizer, const Vocabulary& vocab,
                      const UnitMap& units, const CooccurrenceOptions& options);
  void Add(const Document& doc);
  CooccurrenceCounts& counts() { return counts_; }

 private:
  void CountField();

  FieldReader reader_;
  const UnitMap& units_;
  CooccurrenceOptions options_;
  FieldIds field_;                // the field's vocabulary ids and clause breaks
  std::vector<uint32_t> stream_;  // unit ids (kNone outside the units), one per position
  std::vector<uint32_t> slots_;   // spelling slot per position, or kNone
  std::vector<uint64_t> keys_;    // the field's pair or context keys, counted as one batch
  CooccurrenceCounts counts_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_COOCCURRENCE_COUNTER_H_
