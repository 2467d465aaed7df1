#ifndef NIGHTJAR_LEXICON_EXPANSIONS_H_
#define NIGHTJAR_LEXICON_EXPANSIONS_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "lexicon/acronyms.h"
#include "lexicon/function_words.h"
#include "lexicon/related.h"
#include "text/dictionary.h"

namespace nightjar {

// How query expansions are assembled. Every field has a default.
struct ExpansionOptions {
  int max_expansions = 3;          // per term or phrase
  double min_related_score = 0.5;  // related terms below it do not expand a query
  // ... nor do those whose distributional cosine alone is below this: look-alikes that only the
  // n-gram share made related ("learning" / "earning") stay out of queries.
  double min_related_cosine = 0.35;
  // A distributional neighbour that is neither a form of the term nor a phrase with it is taken
  // for a synonym only when both are single dictionary words, each is among the other's related
  // terms, the corpus never joins them with "and"/"or", and their distributional cosine reaches
  // this. Off by default (> 1): even so, most such pairs are siblings ("monday" / "friday",
  // "know" / "think"), which a query must not be rewritten with (docs/quality.md).
  double min_synonym_cosine = 1.01;
  // A unit's other forms in the corpus ("customer" / "customers", "study" / "studied") expand it
  // when seen at least this often, confirmed by the dictionary's stems (without a dictionary:
  // an inflectional suffix).
  uint64_t min_form_frequency = 5;
  // The language's dictionary (null = none): its stems tell inflections and derivations.
  std::shared_ptr<const Dictionary> dictionary;
  FunctionWordOptions function_words;  // never expanded, never an expansion
};

// What an expansion is to its term.
inline constexpr std::string_view kAcronymExpansion = "acronym";        // short form <-> long form
inline constexpr std::string_view kInflectionExpansion = "inflection";  // or a derivation
inline constexpr std::string_view kPhraseExpansion = "phrase";          // contains the term
inline constexpr std::string_view kSynonymExpansion = "synonym";        // a mutual close neighbour

struct Expansion {
  std::string term;
  double score = 0;
  std::string_view kind;  // one of the k*Expansion names
};

struct ExpansionEntry {
  std::string term;  // folded: what a query token or phrase looks like
  std::vector<Expansion> expansions;
};

// The query expansions a unit's related terms could give by their scores (see
// ExpansionOptions), best first; their kinds are left for MineExpansions.
std::vector<Expansion> RelatedExpansions(const RelatedEntry& r, const ExpansionOptions& options);

// The kind of expansion `b` is of `a`, or "" when it is only a distributional neighbour
// (a synonym is decided by MineExpansions): a phrase when one is a phrase holding the other's
// words, an inflection or derivation when they share a stem (the dictionary's, an inflectional
// suffix, or a long common beginning).
// `cache` (may be null) keeps the dictionary's stems of words already asked about.
using StemCache = absl::flat_hash_map<std::string, std::vector<std::string>>;
std::string_view MorphologicalKind(std::string_view a, std::string_view b,
                                   const Dictionary* dictionary, StemCache* cache = nullptr);

// The expansions lexicon: acronyms both ways ("ml" -> "machine learning" and back) first, then
// each word's forms, then each unit's related terms that can stand in for it (forms of it, phrases
// with it, mutual close neighbours never coordinated with it: see ExpansionOptions); no function
// word (`function_words`) is expanded or used as an expansion, nor a phrase of function words only;
// repeats dropped, at most max_expansions a term; by term. `coordinated(a, b)` is true when the
// corpus joins the two words with "and" or "or" ("monday and tuesday"): items of one list,
// siblings, never synonyms of each other.
using CoordinatedFn = std::function<bool(std::string_view, std::string_view)>;
struct ExpansionInputs {
  std::span<const Acronym> acronyms;      // viewed: must outlive the MineExpansions call
  std::span<const RelatedEntry> related;  // viewed, as acronyms
  std::vector<ExpansionEntry> forms;      // WordForms
  absl::flat_hash_set<std::string> function_words;
  CoordinatedFn coordinated = [](std::string_view, std::string_view) { return false; };
};
std::vector<ExpansionEntry> MineExpansions(const ExpansionInputs& in,
                                           const ExpansionOptions& options);

// Each word's other inflected forms the corpus has (see ExpansionOptions::min_form_frequency),
// scored by how near their frequencies are (0.5 to 1), best first. `frequency(w)` is a word's
// count, 0 when the corpus lacks it.
std::vector<ExpansionEntry> WordForms(const std::vector<std::string_view>& words,
                                      const std::function<uint64_t(std::string_view)>& frequency,
                                      const ExpansionOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_EXPANSIONS_H_
