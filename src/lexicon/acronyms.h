#ifndef NIGHTJAR_LEXICON_ACRONYMS_H_
#define NIGHTJAR_LEXICON_ACRONYMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "count/phrase_counter.h"

namespace nightjar {

// Which abbreviation definitions are trusted. Every field has a default.
struct AcronymOptions {
  uint64_t min_count = 2;       // definitions seen fewer times are dropped (one-off noise)
  double min_confidence = 0.3;  // see Acronym::confidence
};

struct Acronym {
  std::string short_form;  // as written: "ML", "IoT"
  std::string long_form;   // lower case: "machine learning"
  uint64_t count = 0;      // definitions seen
  // count / (definitions of this short form with any long form + 1): how much of the corpus
  // agrees on this reading, shrunk for pairs seen only a few times.
  double confidence = 0;
};

// Aggregates the corpus's abbreviation definitions into trusted (short, long) pairs, best
// confidence first. A pure function of the counts.
std::vector<Acronym> MineAcronyms(const PhraseCounts& counts, const AcronymOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_ACRONYMS_H_
