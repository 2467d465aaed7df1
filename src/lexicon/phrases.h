#ifndef NIGHTJAR_LEXICON_PHRASES_H_
#define NIGHTJAR_LEXICON_PHRASES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "count/phrase_counter.h"
#include "count/vocabulary.h"

namespace nightjar {

// Which word sequences become phrases. Every field has a default.
struct PhraseOptions {
  uint64_t min_count = 5;  // fewer occurrences: never a phrase (also the second pass's floor)
  double threshold = 0.5;  // minimum NPMI, in [-1, 1]
  bool trigrams = true;    // also mine three-word phrases
};

struct Phrase {
  std::vector<uint32_t> ids;  // Vocabulary ids of its words, in order
  std::string text;           // words joined by single spaces
  uint64_t count = 0;
  double score = 0;  // NPMI
};

// Phrases mined from bigram and trigram counts by normalized PMI (Bouma 2009), as gensim's
// Phrases(scoring="npmi"): npmi(a, b) = ln(p(ab) / (p(a) p(b))) / -ln p(ab), probabilities over
// all tokens. A trigram "a b c" scores min(npmi(ab, c), npmi(a, bc)): both splits must cohere;
// with a connector in the middle ("bank of america") it scores as the pair (a, c) seen count(abc)
// times. A pure function of the counts.
class PhraseSet {
 public:
  PhraseSet() = default;
  PhraseSet(const Vocabulary& vocab, const PhraseCounts& counts, const PhraseOptions& options);

  // Best score first, then text.
  const std::vector<Phrase>& phrases() const { return phrases_; }
  // Index into phrases() of the bigram/trigram, or -1.
  int FindBigram(uint32_t a, uint32_t b) const;
  int FindTrigram(uint32_t a, uint32_t b, uint32_t c) const;

 private:
  std::vector<Phrase> phrases_;
  absl::flat_hash_map<uint64_t, int> bigram_index_, trigram_index_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_PHRASES_H_
