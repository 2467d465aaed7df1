#ifndef NIGHTJAR_LEXICON_EXPANSIONS_H_
#define NIGHTJAR_LEXICON_EXPANSIONS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lexicon/acronyms.h"
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
  // The language's dictionary (null = none): its stems tell inflections and derivations.
  std::shared_ptr<const Dictionary> dictionary;
};

struct Expansion {
  std::string term;
  double score = 0;
};

struct ExpansionEntry {
  std::string term;  // folded: what a query token or phrase looks like
  std::vector<Expansion> expansions;
};

// The query expansions a unit's related terms give (see ExpansionOptions), best first.
std::vector<Expansion> RelatedExpansions(const RelatedEntry& r, const ExpansionOptions& options);

// The expansions lexicon: acronyms both ways ("ml" -> "machine learning" and back) first, then
// each unit's closest related terms; repeats dropped, at most max_expansions a term; by term.
std::vector<ExpansionEntry> MineExpansions(const std::vector<Acronym>& acronyms,
                                           const std::vector<RelatedEntry>& related,
                                           const ExpansionOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_EXPANSIONS_H_
