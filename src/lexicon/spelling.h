#ifndef NIGHTJAR_LEXICON_SPELLING_H_
#define NIGHTJAR_LEXICON_SPELLING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "count/term_table.h"
#include "count/vocabulary.h"

namespace nightjar {

// Which terms enter the spelling vocabulary. Every field has a default.
struct SpellingOptions {
  uint64_t min_frequency = 2;      // fewer occurrences: left out (mostly typos and noise)
  uint64_t min_doc_frequency = 1;  // fewer documents: left out
  int min_chars = 1;               // shorter words (in characters): left out
};

struct SpellingEntry {
  std::string_view word;  // folded form; views the TermTable it was built from
  TermStats stats;
  std::vector<std::string> variants;  // misspellings, best first (filled by the variant miner)
};

// The spelling vocabulary: a pure function of the term counts, read from their Vocabulary (which
// must hold every term the options admit, e.g. built with min_frequency 1). Ordered by frequency
// descending, then word ascending (the vocabulary's id order). The entries view the term table
// the vocabulary views, which must outlive them.
std::vector<SpellingEntry> BuildSpellingVocabulary(const Vocabulary& vocab,
                                                   const SpellingOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_SPELLING_H_
