#ifndef NIGHTJAR_LEXICON_CONTEXT_BIGRAMS_H_
#define NIGHTJAR_LEXICON_CONTEXT_BIGRAMS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "count/phrase_counter.h"
#include "count/vocabulary.h"

namespace nightjar {

// Which word pairs are published for correction in context. Every field has a default.
struct BigramOptions {
  uint64_t min_count = 3;          // rarer pairs are left out (0 = publish no pairs)
  uint64_t max_bigrams = 1000000;  // at most this many, by whole count levels (0 = no cap)
};

// An adjacent word pair of the corpus and how often it occurs within a clause. Views the
// Vocabulary's terms.
struct ContextBigram {
  std::string_view first, second;
  uint64_t count = 0;
};

// The bigrams `lookup` weighs candidates by (*new yrok* -> new york): every pair of the second
// pass's counts seen at least min_count times, connector words included, at most max_bigrams of
// them by whole count levels from the most frequent down (which pairs are kept never depends on
// the order they were counted in), ordered by the first word's frequency rank (Vocabulary id),
// then the second's. A pure function of the counts.
std::vector<ContextBigram> SelectBigrams(const Vocabulary& vocab, const PhraseCounts& counts,
                                         const BigramOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_CONTEXT_BIGRAMS_H_
