#ifndef NIGHTJAR_COUNT_CORPUS_COUNTER_H_
#define NIGHTJAR_COUNT_CORPUS_COUNTER_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document_source.h"
#include "count/abbreviation_counts.h"
#include "count/field_cache.h"
#include "count/pass.h"
#include "count/term_runs.h"
#include "count/term_table.h"
#include "text/tokenizer.h"

namespace nightjar {

// Corpus-wide totals. Merge adds field by field.
struct CorpusTotals {
  uint64_t documents = 0;            // live documents counted
  uint64_t deleted = 0;              // tombstones seen (not counted)
  uint64_t truncated = 0;            // documents cut to the size cap
  uint64_t tokens = 0;               // tokens counted
  uint64_t text_bytes = 0;           // bytes of text fields tokenized
  uint64_t long_tokens_skipped = 0;  // tokens over max_token_bytes
  void Merge(const CorpusTotals& o);
  bool operator==(const CorpusTotals&) const = default;
};

// Counts documents into a TermTable and CorpusTotals, and optionally their abbreviation
// definitions, and keeps their tokenized text. Not thread-safe: one per thread.
class DocumentCounter {
 public:
  explicit DocumentCounter(const TokenizerOptions& options)
      : tokenizer_(options), terms_(kInitialTerms) {}
  void Add(const Document& doc);
  // Also counts abbreviation definitions (see abbreviations()).
  void CountAbbreviationsToo() { count_abbreviations_ = true; }
  // Also keeps each document's fields in `cache` as term hashes (FieldCache::AddHashedField),
  // so that later passes need not read the corpus again. The cache must outlive the Add calls.
  void KeepFieldsIn(FieldCache* cache) { cache_ = cache; }
  // Also appends each document's DocumentIdHash (tombstones' too) to *ids, which must outlive
  // the Add calls.
  void KeepIdHashesIn(std::vector<uint64_t>* ids) { ids_ = ids; }
  // Bounds the term table to `share_bytes` (slots, long keys, a growth and the sort of a
  // spill): before a document that could take it past, the table is written to `runs` as a
  // sorted run and emptied. `runs` must outlive the Add calls. A failed spill is kept
  // (spill_status()) and counting stops, so that the pass fails instead of outgrowing the
  // budget.
  void SpillTo(TermRuns* runs, size_t share_bytes) {
    runs_ = runs;
    share_bytes_ = share_bytes;
    // Start within the share: slots of 40 bytes at most 0.7 full, growing once, and the sort.
    if (terms_.size() == 0) terms_ = TermTable(std::min(kInitialTerms, share_bytes / 256));
  }
  const absl::Status& spill_status() const { return spill_status_; }
  TermTable& terms() { return terms_; }
  AbbreviationCounts& abbreviations() { return abbreviations_; }
  // Totals so far, long_tokens_skipped included.
  CorpusTotals totals() const;

 private:
  static constexpr size_t kInitialTerms = 1 << 16;
  static constexpr size_t kPipeline = 16;  // tokens hashed ahead of counting
  struct Pending {
    CountTable::Key key;
    char bytes[256];  // a long folded token (at most max_token_bytes <= 256), which key views
  };
  Tokenizer tokenizer_;
  TermTable terms_;
  Pending pending_[kPipeline];
  CorpusTotals totals_;
  uint32_t doc_stamp_ = 0;  // wraps, with a ResetStamps
  bool count_abbreviations_ = false;
  AbbreviationCounts abbreviations_;
  FieldCache* cache_ = nullptr;
  std::vector<uint64_t>* ids_ = nullptr;
  TermRuns* runs_ = nullptr;
  size_t share_bytes_ = 0;
  uint64_t most_tokens_ = 0;  // in one document so far: the headroom a spill check leaves
  absl::Status spill_status_;
  void MaybeSpill();
  std::vector<uint64_t> hashes_;  // the field being kept: term hashes, breaks, capitals
  std::vector<uint8_t> breaks_, capitals_;
};

// How to count. Every field has a default.
struct CountOptions {
  TokenizerOptions tokenizer;
  int threads = 0;  // worker threads; 0 = one per core
  // The character n-gram range of the statistics derived from the term counts
  // (NgramTable::FromTerms); not used by CountCorpus itself.
  int ngram_min = 1;  // smallest character n-gram, in characters
  int ngram_max = 3;  // largest character n-gram
  // Also count abbreviation definitions (CorpusCounts::abbreviations).
  bool abbreviations = false;
  // Memory (bytes, over all threads) the pass may fill with tokenized text for the mining
  // passes (CorpusCounts::caches); past it, nothing is kept. Not tried at all when the source's
  // size says the text cannot fit (10 bytes a token, at least 4 bytes of input a token).
  // 0 = keep nothing.
  size_t cache_bytes = 0;
  // Also find ids that occur more than once (CorpusCounts::duplicate_ids): 8 bytes a document.
  bool check_duplicate_ids = false;
  // With check_duplicate_ids: also hand out the id hashes (CorpusCounts::id_hashes).
  bool keep_id_hashes = false;
  // Memory (bytes, over all threads) the term tables may hold; past a thread's share a table is
  // spilled to a sorted run file (TermRuns) and the runs are merged at the end. 0 = no bound.
  size_t table_bytes = 0;
  std::string spill_dir;  // where runs go: a fresh directory under it ("" = $TMPDIR)
  // At most this many terms are kept for mining, by whole frequency levels (term_cap.h);
  // 0 = all. Bounds mining's vocabulary: a corpus past it is mostly one-off tokens.
  uint64_t max_terms = 4000000;
};

// Everything the lexicons are computed from.
struct CorpusCounts {
  TermTable terms;                  // at most CountOptions::max_terms of them
  uint64_t distinct_terms = 0;      // terms counted, before the max_terms cap
  uint64_t min_kept_frequency = 1;  // the lowest frequency the cap kept (1: all kept)
  // What the count pass spilled past CountOptions::table_bytes: runs and their bytes.
  uint64_t spilled_runs = 0, spilled_bytes = 0;
  // The process's peak RSS when counting was done, before the kept terms were loaded for mining
  // (the count phase's share of the run's peak).
  uint64_t count_peak_rss = 0;
  CorpusTotals totals;
  AbbreviationCounts abbreviations;    // when CountOptions::abbreviations
  bool abbreviations_counted = false;  // CountOptions::abbreviations was set
  // Documents (tombstones included) whose id hash an earlier one had, when
  // CountOptions::check_duplicate_ids: then these counts hold every copy, not the winning one.
  uint64_t duplicate_ids = 0;
  // With CountOptions::keep_id_hashes: DocumentIdHash of every document read (tombstones
  // included), ascending, repeats kept.
  std::vector<uint64_t> id_hashes;
  // The corpus's tokenized text as term hashes, one cache per thread (all the documents between
  // them), when CountOptions::cache_bytes was enough for it; else empty. Not counts: the mining
  // passes read it instead of the corpus.
  std::vector<FieldCache> caches;
};

// Reads `source` to the end with options.threads workers, each counting into its own tables,
// then merges them. Results are identical for every thread count. Fails only when the source
// fails; rejected records go to `rejects`. `progress` may be null.
[[nodiscard]] absl::StatusOr<CorpusCounts> CountCorpus(DocumentSource& source,
                                                       const CountOptions& options,
                                                       RejectSink& rejects,
                                                       CountProgress* progress);

// How many of the hashes in `parts` (taken; e.g. one vector a thread) repeat an earlier one:
// the documents of a run whose id (DocumentIdHash) came before. Radix-sorts them all; with
// `sorted`, hands them out in ascending order.
uint64_t CountDuplicates(std::vector<std::vector<uint64_t>> parts,
                         std::vector<uint64_t>* sorted = nullptr);

// Resolves threads = 0 to the number of cores.
int EffectiveThreads(int threads);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_CORPUS_COUNTER_H_
