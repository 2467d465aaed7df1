#ifndef NIGHTJAR_LEXICON_CORRECTOR_H_
#define NIGHTJAR_LEXICON_CORRECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lexicon/bigram_model.h"
#include "lexicon/delete_index.h"
#include "text/error_model.h"

namespace nightjar {

// How query tokens are corrected. Every field has a default.
struct CorrectorOptions {
  uint64_t word_min_frequency = 5;  // rarer words are never proposed as corrections
  int max_distance = 2;             // Damerau–Levenshtein (OSA) limit
  int short_word_chars = 4;         // words this short allow distance 1
  double typing_weight = 4.6;       // ln-odds per unit of TypingCost, as the variant miner's
  // What each kind of edit costs: the version's learned model (the error_model lexicon) when it
  // has one, else the generic defaults.
  ErrorModel errors = ErrorModel::Default();
  bool learned_errors = true;  // false: a version's learned model is not loaded (the defaults)
  // Distance 1 wins over distance 2 unless the evidence is strong: while some word is one edit
  // away, a word two edits away must beat it by this much more (ln-odds; 3.0 = twenty times as
  // likely), so a frequent word two edits off ("auther" -> after) does not take a token from
  // the one-edit word it is ("author"). 0 = ranked by the model alone.
  double second_edit_margin = 3.0;
  // A token with no word within max_distance is matched by sound, as Aspell's "soundslike"
  // does: the words sharing its PhoneticKey within this many edits ("nescesarry" ->
  // necessary), the most frequent of the fewest edits first. 0 = no phonetic matches.
  int max_phonetic_distance = 4;
  // Only the most frequent words are edit-correction targets (the delete index costs ~40
  // entries per word to build and hold); rarer misspellings are covered by the mined variant map.
  size_t max_index_words = 200000;
  // Correction in context: each candidate c of a token between the words L and R gains
  // context_weight x (ln((n(L c) + a) / (E(L c) + a)) + the same for (c R)) ln-odds, n a pair's
  // count in the bigrams lexicon, E = f(L) f(c) / N its count if the two were independent, and
  // a = context_smoothing pseudo-occurrences that keep rare evidence small. A side counts only
  // when some candidate was seen next to that neighbour. 0 = no context.
  double context_weight = 1.0;
  double context_smoothing = 3.0;
  int index_threads = 2;  // threads that build the delete index
};

// Corrects single tokens against a published spelling vocabulary and correction map: the mined
// variant map first, then the symmetric-delete index, ranked by P(word) P(typed | word) under
// the typing-error model. Immutable once built; thread-safe.
class SpellCorrector {
 public:
  // `words`: (word, frequency); `corrections`: variant -> (word, score); `bigrams`: adjacent
  // pair counts for correction in context (empty: none).
  SpellCorrector(std::vector<std::pair<std::string, uint64_t>> words,
                 absl::flat_hash_map<std::string, std::pair<std::string, double>> corrections,
                 const CorrectorOptions& options, BigramModel bigrams = {});

  struct Result {
    std::string text;      // the correction, or the token itself
    double score = 0;      // confidence in [0, 1]
    std::string_view how;  // "known", "variant", "edit", "phonetic" or "unknown"
  };
  // `left` and `right`: the query's neighbouring words (the left one as corrected), empty at
  // either end; they weigh candidates of a token that is not a known word.
  Result Correct(std::string_view token, std::string_view left = {},
                 std::string_view right = {}) const;

 private:
  CorrectorOptions options_;
  std::vector<std::pair<std::string, uint64_t>> words_;
  absl::flat_hash_map<std::string_view, uint64_t> frequency_;
  absl::flat_hash_map<std::string, std::pair<std::string, double>> corrections_;
  BigramModel bigrams_;
  double total_ = 1;                    // occurrences of all words
  std::unique_ptr<DeleteIndex> index_;  // over the words at least word_min_frequency
  // PhoneticKey -> the indexed words with it, most frequent first (views into words_).
  absl::flat_hash_map<std::string, std::vector<std::string_view>> sounds_;
  Result SoundsLike(std::string_view token, const std::u32string& typed) const;
  // Adds each candidate's context gain to its logit (see context_weight).
  void WeighByContext(const std::vector<std::string_view>& candidates, std::string_view left,
                      std::string_view right, std::vector<double>* logits) const;
  uint64_t Frequency(std::string_view word) const {
    auto it = frequency_.find(word);
    return it == frequency_.end() ? 0 : it->second;
  }
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_CORRECTOR_H_
