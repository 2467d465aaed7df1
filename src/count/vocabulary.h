#ifndef NIGHTJAR_COUNT_VOCABULARY_H_
#define NIGHTJAR_COUNT_VOCABULARY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "count/term_table.h"

namespace nightjar {

// Dense term ids by frequency rank, frozen after the first pass so that later passes can key
// their counts (pairs, phrases, contexts) by small integers: id 0 is the most frequent term, and
// "among the top K" is `id < K`. Only terms with frequency >= min_frequency get an id.
// Immutable once built, so any number of threads may read it. Views the TermTable's keys: the
// table must outlive the vocabulary.
class Vocabulary {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  Vocabulary() = default;
  Vocabulary(const TermTable& terms, uint64_t min_frequency);

  // The id of `term`, or kNone.
  uint32_t Find(std::string_view term) const { return Find(CountTable::MakeKey(term)); }
  // Starts loading the slot of `key` ahead of a Find.
  void Prefetch(const CountTable::Key& key) const { ids_.Prefetch(key); }
  // The id of a term already made a key (see FieldReader), or kNone.
  uint32_t Find(const CountTable::Key& key) const {
    uint64_t id_plus_one = 0, unused = 0;
    ids_.Get(key, &id_plus_one, &unused);
    return id_plus_one == 0 ? kNone : static_cast<uint32_t>(id_plus_one - 1);
  }
  std::string_view term(uint32_t id) const { return rows_[id].term; }
  const TermStats& stats(uint32_t id) const { return rows_[id].stats; }
  uint32_t size() const { return static_cast<uint32_t>(rows_.size()); }
  // How many ids belong to terms seen at least `frequency` times (they come first).
  uint32_t CountAtLeast(uint64_t frequency) const;
  // Occurrences of all terms in the corpus (not only those with an id).
  uint64_t total_frequency() const { return total_; }

 private:
  std::vector<TermRow> rows_;
  CountTable ids_;  // term -> id + 1, held in the count
  uint64_t total_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_VOCABULARY_H_
