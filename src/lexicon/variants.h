#ifndef NIGHTJAR_LEXICON_VARIANTS_H_
#define NIGHTJAR_LEXICON_VARIANTS_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "count/vocabulary.h"
#include "lexicon/delete_index.h"
#include "text/dictionary.h"
#include "text/tokenizer.h"

namespace nightjar {

// When a rare token is taken for a misspelling of a word. Every field has a default.
struct VariantOptions {
  uint64_t word_min_frequency = 5;  // rarer words never have variants (nor are corrections)
  double min_ratio = 20;            // the word must be at least this many times as frequent
  int max_distance = 2;             // Damerau–Levenshtein (OSA) limit
  int short_word_chars = 4;         // words of at most this many characters allow distance 1
  int min_variant_chars = 3;        // shorter tokens are never variants
  double max_typing_cost = 1.0;     // TypingCost limit: one ordinary edit, or two typical ones
  double min_context = 0.05;        // cosine of the two context vectors
  double typing_weight = 4.6;       // ln-odds per unit of typing cost (0.5 ~ ten times rarer)
  double context_weight = 4.0;      // ln-odds per unit of context cosine
  int max_variants = 8;             // per word, in the published record
  // A variant is not itself common: tokens more frequent than this many per million tokens (or
  // than min_common_count, whichever is larger) are words in their own right ("she" is not a
  // misspelling of "the", however much rarer).
  double max_variant_per_million = 50;
  // Added to the typing cost when the first letters differ: people rarely mistype the first
  // letter (about 7% of misspellings, Pollock & Zamora 1983), while a rare word one edit from a
  // frequent one ("band"/"and", "sin"/"in") usually differs there.
  double first_letter_cost = 0.5;
  // A dictionary of words that are never variants, one per line (e.g. /usr/share/dict/words):
  // corpus statistics alone can't tell a rare real word ("abide") from a typo ("abilty") one
  // edit from a frequent word. "" = none. LoadProtectedWords fills protected_words from it.
  std::string protected_words_file;
  std::shared_ptr<const absl::flat_hash_set<std::string>> protected_words;
  // The language's dictionary (text.language; null = none): a word it knows, inflected and
  // affixed forms included, is never a variant of another ("clashes" is not "classes" mistyped).
  std::shared_ptr<const Dictionary> dictionary;
  uint64_t min_common_count = 20;
  // Names and acronyms: a token written with a capital first letter in at least name_share of
  // at least name_min_count occurrences is not a misspelling of a word that is mostly written
  // in lower case ("Abel"/"able", "AGP"/"ago"); a capitalized word keeps its capitalized typos
  // ("Mircosoft"/"Microsoft"). name_share > 1 turns the rule off.
  double name_share = 0.8;
  uint64_t name_min_count = 3;
  // Frequent misspellings ("athiest" 2, "atheist" 10): with a dictionary, a token seen at least
  // twice, of at least six characters, that the dictionary does not know may be a variant of a
  // word it knows that is only
  // dictionary_min_ratio times as frequent (not min_ratio), when it is one likely edit from it
  // (typing cost at most kMinTypingEditCost: a transposition, a doubled or dropped doubled
  // letter, a neighbouring key, a vowel for a vowel; never the first letter) and their contexts
  // agree at least dictionary_min_context (not min_context). dictionary_min_ratio >= min_ratio
  // turns it off.
  // A token seen 8+ times, at least this many times per document it occurs in, is a word of
  // those documents (für 21 times in 5, an identifier 10 times in 1), not a misspelling: a
  // typo's occurrences scatter (recieve 33 in 23). 1e9 = off.
  double max_repeats_per_document = 4;
  double dictionary_min_ratio = 4;
  double dictionary_min_context = 0.5;
  // The channel model lookups correct by is learned from the variants chosen with at least
  // error_min_score, smoothed by error_prior_edits pseudo-edits spread as the defaults would
  // (ErrorModel::Learn).
  double error_min_score = 0.9;
  double error_prior_edits = 200;
  // The ratio a token of `chars` code points seen `frequency` times is held to (min_ratio, or
  // the dictionary's for a possible frequent misspelling).
  double MinRatio(uint64_t frequency, size_t chars) const {
    return dictionary && frequency >= 2 && chars >= kMinFrequentMisspellingChars
               ? std::min(min_ratio, dictionary_min_ratio)
               : min_ratio;
  }
  // Shorter tokens are never frequent misspellings: nearly every string of three to five
  // letters is one likely edit from some word (acronyms, codes: "psa" / "ps", "sera" / "sea").
  static constexpr size_t kMinFrequentMisspellingChars = 6;
};

// How often a term was seen, and how often with a capital first letter.
struct CaseCounts {
  uint64_t occurrences = 0;
  uint64_t capitalized = 0;
};

// The names-and-acronyms rule of VariantOptions::name_share: true when `variant` should not be
// taken for a misspelling of `word` on account of how the two are written.
bool WrittenAsName(const CaseCounts& variant, const CaseCounts& word,
                   const VariantOptions& options);

// A candidate pairing of a rare token with a frequent word.
struct VariantCandidate {
  uint32_t variant = 0;  // Vocabulary id of the rare token
  uint32_t word = 0;     // Vocabulary id of the word
  int distance = 0;
  double typing_cost = 0;
  // The word is less than min_ratio times as frequent: admitted by the dictionary's ratio, and
  // held to its conditions (dictionary_min_context, the word known, the token not).
  bool frequent_misspelling = false;
};

struct Variant {
  uint32_t variant = 0;
  uint32_t word = 0;
  double score = 0;  // in [0, 1]: the chosen word's share of the candidates' odds times evidence
  bool frequent_misspelling = false;  // VariantCandidate::frequent_misspelling
};

// True when one of the two is the other plus an inflectional suffix (s, es, 's, d, ed, ing, er,
// est, ly): a different word form, not a misspelling. A bare -s never follows an s, and a bare
// -d follows only an e ("acces"/"access" and "woul"/"would" are a dropped letter).
bool IsInflection(std::string_view a, std::string_view b);

// Reads options->protected_words_file (when set) into options->protected_words, folding each
// line with `tokenizer` (lines that are not exactly one token are skipped). InvalidArgument
// naming variants.protected_words_file when the file can't be read.
[[nodiscard]] absl::Status LoadProtectedWords(const TokenizerOptions& tokenizer,
                                              VariantOptions* options);

// Every (rare token, word) pair passing the frequency, length, distance, inflection and typing
// cost tests, found through `index`, which must hold exactly the vocabulary ids [0, n) as its
// word ids for some n, and through `rare` (null: none), the ids from n on that only frequent
// misspellings reach (a word only dictionary_min_ratio times as frequent). Grouped by variant,
// in id order; `threads` share the vocabulary, and the result does not depend on them.
std::vector<VariantCandidate> FindVariantCandidates(const Vocabulary& vocab,
                                                    const DeleteIndex& index,
                                                    const VariantOptions& options, int threads = 1,
                                                    const DeleteIndex* rare = nullptr);

// Removes the variants that options.dictionary knows (none without one), and the frequent
// misspellings whose word it does not know, on `threads` threads.
// Asked of the chosen variants only, after ChooseVariants: each token's choice is its own, so
// this equals never offering known tokens as candidates, at a fraction of the dictionary calls.
void DropKnownVariants(const Vocabulary& vocab, const VariantOptions& options, int threads,
                       std::vector<Variant>* variants);

// Picks for each rare token its most probable word, P(word) P(typed | word) exp(context), and
// keeps it when the context evidence holds. `context(a, b)` is the cosine of two vocabulary ids'
// context vectors (0 when unknown). Ordered by word id, then score descending.
std::vector<Variant> ChooseVariants(const Vocabulary& vocab,
                                    const std::vector<VariantCandidate>& candidates,
                                    const std::function<double(uint32_t, uint32_t)>& context,
                                    const VariantOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_VARIANTS_H_
