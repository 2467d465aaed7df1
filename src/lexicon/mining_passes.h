#ifndef NIGHTJAR_LEXICON_MINING_PASSES_H_
#define NIGHTJAR_LEXICON_MINING_PASSES_H_

// The mining passes over the corpus and the selections between them: MineLexicons runs them in
// one process; a sharded refresh runs each pass a shard at a time against selections made from
// the merged counts of the pass before (CountPhrasePass, CountContextPass; docs/scaling.md).
// Internal to the lexicon component.

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "count/cooccurrence_counter.h"
#include "count/field_cache.h"
#include "count/phrase_counter.h"
#include "count/vocabulary.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/phrases.h"
#include "lexicon/variants.h"

namespace nightjar {

// One unit of the related-terms space: a frequent word or a phrase.
struct Unit {
  std::string text;
  uint64_t frequency;
  uint32_t word = Vocabulary::kNone;  // vocabulary id for a word unit
  int phrase = -1;                    // index into the PhraseSet for a phrase unit
};

// Pass 2: phrases and abbreviations, from the first pass's text when it can be replayed, else
// from `reopen`'s documents. *caches receives the text for the third pass (empty when it did
// not fit or options.pass_cache_mb is 0).
[[nodiscard]] absl::StatusOr<PhraseCounts> PhrasePass(
    const CorpusCounts& counts, const Vocabulary& vocab, const SourceFactory& reopen,
    const TokenizerOptions& tokenizer, const LexiconOptions& options, int threads,
    std::vector<FieldCache> first_pass, std::vector<FieldCache>* caches, MiningTrace& tr);

// The selections made from the phrase counts: phrases, acronyms and context bigrams into *out,
// the phrase set and the coordinated pairs ("x and y") into the others; on two threads when
// `threads` > 1.
void SelectFromPhraseCounts(const Vocabulary& vocab, const PhraseCounts& counts,
                            const LexiconOptions& options, int threads,
                            std::optional<PhraseSet>* phrases,
                            absl::flat_hash_set<uint64_t>* coordinated, Lexicons* out,
                            MiningTrace& tr);

// The units related terms are computed over, and the map from tokens to units *map.
std::vector<Unit> SelectUnits(const Vocabulary& vocab, const PhraseSet& phrases,
                              const RelatedOptions& options, UnitMap* map);

// Spelling candidates, whose contexts the third pass collects: their slots go into *map.
std::vector<VariantCandidate> SpellingCandidates(const Vocabulary& vocab,
                                                 const LexiconOptions& options, int threads,
                                                 UnitMap* map, MiningTrace& tr);

// Pass 3: unit co-occurrence and spelling contexts, from the kept text or `reopen`'s documents.
[[nodiscard]] absl::StatusOr<CooccurrenceCounts> ContextPass(
    const Vocabulary& vocab, const UnitMap& map, const SourceFactory& reopen,
    const TokenizerOptions& tokenizer, const LexiconOptions& options, int threads,
    std::vector<FieldCache>& caches, MiningTrace& tr);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_MINING_PASSES_H_
