#ifndef NIGHTJAR_LEXICON_LEXICON_BUILDER_H_
#define NIGHTJAR_LEXICON_LEXICON_BUILDER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document_source.h"
#include "count/cooccurrence_counter.h"
#include "count/corpus_counter.h"
#include "count/phrase_counter.h"
#include "lexicon/acronyms.h"
#include "lexicon/context_bigrams.h"
#include "lexicon/expansions.h"
#include "lexicon/phrases.h"
#include "lexicon/related.h"
#include "lexicon/spelling.h"
#include "lexicon/variants.h"
#include "text/error_model.h"

namespace nightjar {

// Everything the miners are configured by. Every field has a default.
struct LexiconOptions {
  // text.language: the Hunspell dictionary the miners consult ("none" = no dictionary);
  // LoadDictionary opens it into variants.dictionary and expansions.dictionary.
  std::string language = "en_US";
  SpellingOptions spelling;
  VariantOptions variants;
  PhraseOptions phrases;
  BigramOptions bigrams;
  AcronymOptions acronyms;
  CooccurrenceOptions cooccurrence;
  RelatedOptions related;
  ExpansionOptions expansions;
  // Memory (MiB, over all threads) the second pass may fill with tokenized text for the third,
  // which then reads that instead of the corpus; past it, the third pass reads the corpus.
  // 0 = always read the corpus.
  int64_t pass_cache_mb = 512;
};

// Opens options->language's dictionary (unless "none") into the miners' options. NotFound
// naming text.language and the package to install when the language has none.
[[nodiscard]] absl::Status LoadDictionary(LexiconOptions* options);

struct Correction {
  std::string variant, word;
  double score = 0;
};

// The mined lexicons of one run, ready to publish. Views into the CorpusCounts they were built
// from, which must outlive them.
struct Lexicons {
  std::vector<SpellingEntry> spelling;  // variants filled in
  std::vector<Correction> corrections;  // variant -> word, by variant
  std::vector<Phrase> phrases;
  std::vector<Acronym> acronyms;
  std::vector<RelatedEntry> related;
  std::vector<ExpansionEntry> expansions;
  std::vector<ContextBigram> bigrams;  // grouped by first word (SelectBigrams)
  // The channel model learned from the confident variants, and how many of each edit it saw.
  ErrorModel errors = ErrorModel::Default();
  std::array<uint64_t, kEditClasses> error_counts{};
};

// How mining ran, for the run summary: seconds per mining stage and per finer step, and which
// text the passes read.
struct MiningTrace {
  // "phrase_pass", "context_pass", "related", "variants", in the order they first ran.
  std::vector<std::pair<std::string, double>> stages;
  // Finer steps inside those stages, in the order they ran; steps run beside another (bigrams
  // and coordinated beside phrases) follow it, and overlap its time.
  std::vector<std::pair<std::string, double>> steps;
  // Whether the second pass read the first's cached text, and the third the second's (else the
  // corpus again).
  bool second_pass_cached = false;
  bool third_pass_cached = false;
  // Adds the time since `since` to the stage `name`.
  void AddStage(std::string_view name, std::chrono::steady_clock::time_point since);
  // Records the step `name` as the time since *since, and restarts *since.
  void Step(std::string name, std::chrono::steady_clock::time_point* since);
};

// Opens a fresh read of the corpus (the miners read it twice more after the count pass).
using SourceFactory = std::function<absl::StatusOr<std::unique_ptr<DocumentSource>>()>;

// The counts of the two mining passes, when a sharded refresh counted them shard by shard and
// merged them (CountPhrasePass, CountContextPass) rather than MineLexicons reading the corpus.
struct PassCounts {
  PhraseCounts phrases;         // the merged second-pass counts
  CooccurrenceCounts contexts;  // the merged third-pass counts
};

// Mines all lexicons from the first pass's counts and two further passes over the corpus:
// word bigrams/trigrams (and abbreviation definitions, unless the first pass counted them), then
// unit co-occurrence and spelling contexts. `first_pass` is the first pass's tokenized text
// (CorpusCounts::caches, moved in; may be empty): the second pass reads it instead of the corpus
// when it is complete and its term hashes tell the vocabulary's terms apart, and the third pass
// then reads it too. Deterministic for every thread count, and the same whichever text the
// passes read. `trace`, when not null, is told how mining ran. With `given` (taken), the two
// passes' counts are those instead and the corpus is not read. Fails only when a source fails.
[[nodiscard]] absl::StatusOr<Lexicons> MineLexicons(
    const CorpusCounts& counts, const SourceFactory& reopen, const TokenizerOptions& tokenizer,
    const LexiconOptions& options, int threads, std::vector<FieldCache> first_pass = {},
    MiningTrace* trace = nullptr, PassCounts* given = nullptr);

// A sharded refresh's mining passes (docs/scaling.md), each over one shard's documents
// (`source`). The second pass: phrase counts over the vocabulary of the merged first-pass
// `counts` (abbreviations left to those counts). Summed over all shards, they equal what
// MineLexicons's own second pass counts over the whole corpus.
[[nodiscard]] absl::StatusOr<PhraseCounts> CountPhrasePass(const CorpusCounts& counts,
                                                           const SourceFactory& source,
                                                           const TokenizerOptions& tokenizer,
                                                           const LexiconOptions& options,
                                                           int threads);
// The third pass, against the units and spelling candidates selected from the merged `counts`
// and the merged second-pass `phrases`, as MineLexicons selects them. Summed over all shards,
// equal to its own third pass.
[[nodiscard]] absl::StatusOr<CooccurrenceCounts> CountContextPass(
    const CorpusCounts& counts, const PhraseCounts& phrases, const SourceFactory& source,
    const TokenizerOptions& tokenizer, const LexiconOptions& options, int threads);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_LEXICON_BUILDER_H_
