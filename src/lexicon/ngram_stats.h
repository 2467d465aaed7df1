#ifndef NIGHTJAR_LEXICON_NGRAM_STATS_H_
#define NIGHTJAR_LEXICON_NGRAM_STATS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "count/ngram_table.h"

namespace nightjar {

// Which n-grams are published. Every field has a default.
struct NgramStatsOptions {
  uint64_t min_frequency = 1;  // rarer n-grams are left out of the published lexicon
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_NGRAM_STATS_H_
