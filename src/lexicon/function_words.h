#ifndef NIGHTJAR_LEXICON_FUNCTION_WORDS_H_
#define NIGHTJAR_LEXICON_FUNCTION_WORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "count/vocabulary.h"

namespace nightjar {

// Function words (pronouns, determiners, auxiliaries, prepositions, conjunctions): a query
// needs them as they are, so they are never expanded and never used as an expansion. Every field
// has a default.
struct FunctionWordOptions {
  // Learned from the corpus: a word in at least this share of the documents...
  double min_doc_share = 0.2;
  // ... whose document frequency is at least this share of what its occurrences would reach if
  // they fell on documents independently (a Poisson spread): function words are everywhere, a
  // content word clusters in the documents about it. 0 = document share alone.
  double min_spread = 0.8;
  // ... and at most this many characters: function words are short (Zipf's law of
  // abbreviation), while a corpus about one subject spreads its subject's longer words
  // everywhere too.
  int max_chars = 6;
  // Fewer live documents than this: nothing is learned (a small corpus about one subject would
  // have its subject's words everywhere), only the language's list and `extra` are used.
  uint64_t min_documents = 1000;
  std::vector<std::string> extra;  // expansions.function_words: added to the list as they are
};

// The built-in list for `language` ("en_US", "en_GB", ... share English's); empty for a
// language without one.
const std::vector<std::string_view>& DefaultFunctionWords(std::string_view language);

// The language's list, the extra words, and the words of `vocab` the corpus (`documents` live
// documents) shows to be function words.
absl::flat_hash_set<std::string> FunctionWords(const Vocabulary& vocab, uint64_t documents,
                                               std::string_view language,
                                               const FunctionWordOptions& options);

// True when `word`'s counts mark it as a function word (see FunctionWordOptions).
bool SpreadLikeAFunctionWord(uint64_t frequency, uint64_t doc_frequency, uint64_t documents,
                             const FunctionWordOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_FUNCTION_WORDS_H_
