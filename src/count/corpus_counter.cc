#include "count/corpus_counter.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "count/field_reader.h"
#include "count/radix_sort.h"
#include "count/term_cap.h"
#include "util/peak_rss.h"
#include "util/status_macros.h"

namespace nightjar {
uint64_t CountDuplicates(std::vector<std::vector<uint64_t>> parts, std::vector<uint64_t>* sorted) {
  std::vector<uint64_t> all = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    all.insert(all.end(), parts[i].begin(), parts[i].end());
    parts[i] = {};
  }
  std::vector<uint64_t> spare(all.size());
  const uint64_t* in_order = RadixSort(all.data(), spare.data(), all.size(), 64);
  uint64_t duplicates = 0;
  for (size_t i = 1; i < all.size(); ++i) duplicates += in_order[i] == in_order[i - 1];
  if (sorted != nullptr) *sorted = in_order == all.data() ? std::move(all) : std::move(spare);
  return duplicates;
}

void CorpusTotals::Merge(const CorpusTotals& o) {
  documents += o.documents;
  deleted += o.deleted;
  truncated += o.truncated;
  tokens += o.tokens;
  text_bytes += o.text_bytes;
  long_tokens_skipped += o.long_tokens_skipped;
}

void DocumentCounter::MaybeSpill() {
  // A document adds at most its tokens as new terms: leave room for the largest seen so far.
  const size_t headroom = static_cast<size_t>(most_tokens_);
  const size_t sort_bytes = 16 * (terms_.size() + headroom);
  const size_t peak = terms_.WouldGrow(headroom) ? terms_.GrowthPeakBytes() : terms_.MemoryBytes();
  if (peak + sort_bytes <= share_bytes_ || terms_.size() == 0) return;
  spill_status_ = runs_->Spill(terms_);
  // Stamps mark the last document seen in each slot: the emptied table holds none.
}

void DocumentCounter::Add(const Document& doc) {
  if (!spill_status_.ok()) return;  // the pass fails: nothing more is counted
  if (runs_ != nullptr) {
    MaybeSpill();
    if (!spill_status_.ok()) return;
  }
  if (cache_ != nullptr && cache_->overflowed()) cache_ = nullptr;  // nothing more to keep
  const uint64_t id_hash = cache_ != nullptr || ids_ != nullptr ? DocumentIdHash(doc.id) : 0;
  if (ids_ != nullptr) ids_->push_back(id_hash);
  if (doc.deleted) {
    ++totals_.deleted;
    return;
  }
  ++totals_.documents;
  totals_.truncated += doc.truncated;
  if (++doc_stamp_ == 0) {  // the 32-bit stamp wrapped: forget old stamps and start again
    terms_.ResetStamps();
    doc_stamp_ = 1;
  }
  const uint32_t stamp = doc_stamp_;
  uint64_t tokens = 0;
  // Tokens wait in a small ring between hashing (which prefetches their slot) and counting, so
  // that kPipeline cache misses are in flight at once instead of one.
  size_t head = 0, tail = 0;
  auto count_oldest = [&] { terms_.AddOccurrence(pending_[tail++ % kPipeline].key, stamp); };
  if (cache_ != nullptr) cache_->BeginDocument(id_hash);
  for (std::string_view field : doc.fields) {
    totals_.text_bytes += field.size();
    const char* prev_end = field.data();
    hashes_.clear();
    breaks_.clear();
    capitals_.clear();
    tokenizer_.Tokenize(field, [&](const Token& tok) {
      if (head - tail == kPipeline) count_oldest();
      Pending& p = pending_[head++ % kPipeline];
      p.key = CountTable::MakeKey(tok.folded, tok.readable);
      if (!p.key.is_short) {  // the token's bytes do not outlive this call: keep a copy
        std::memcpy(p.bytes, tok.folded.data(), tok.folded.size());
        p.key.bytes = std::string_view(p.bytes, tok.folded.size());
      }
      terms_.Prefetch(p.key);
      ++tokens;
      if (cache_ != nullptr) {  // as FieldReader reads it
        hashes_.push_back(p.key.hash);
        AppendTokenFlags(tok, &prev_end, &breaks_, &capitals_);
      }
    });
    if (cache_ != nullptr) cache_->AddHashedField(hashes_, breaks_, capitals_);
    if (count_abbreviations_) CountAbbreviations(field, &abbreviations_);
  }
  while (tail != head) count_oldest();
  totals_.tokens += tokens;
  most_tokens_ = std::max(most_tokens_, tokens);
}

CorpusTotals DocumentCounter::totals() const {
  CorpusTotals t = totals_;
  t.long_tokens_skipped = tokenizer_.long_tokens_skipped();
  return t;
}

namespace {

// Spills what the counters still hold, then merges every run into out->terms, capped at
// max_terms (LoadMostFrequent), and records the spill in *out.
absl::Status MergeSpilledTerms(std::vector<std::unique_ptr<DocumentCounter>>& counters,
                               TermRuns& runs, uint64_t max_terms, CorpusCounts* out) {
  for (auto& c : counters) {
    if (c->terms().size() > 0) NJ_RETURN_IF_ERROR(runs.Spill(c->terms()));
    c.reset();
  }
  out->spilled_runs = runs.runs();
  out->spilled_bytes = runs.bytes();
  out->count_peak_rss = PeakRssBytes();
  NJ_ASSIGN_OR_RETURN(KeptTerms kept,
                      LoadMostFrequent([&](const auto& fn) { return runs.Merge(fn); }, max_terms));
  out->terms = std::move(kept.terms);
  out->distinct_terms = kept.distinct;
  out->min_kept_frequency = kept.min_kept;
  return absl::OkStatus();
}

}  // namespace

int EffectiveThreads(int threads) {
  if (threads > 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

absl::StatusOr<CorpusCounts> CountCorpus(DocumentSource& source, const CountOptions& options,
                                         RejectSink& rejects, CountProgress* progress) {
  const int threads = EffectiveThreads(options.threads);
  std::vector<std::unique_ptr<DocumentCounter>> counters;
  counters.reserve(static_cast<size_t>(threads));
  CorpusCounts out;
  // A token takes at least 4 bytes of input (a character, a separator and JSON around them):
  // when the input alone says the text cannot fit, keeping it would only fill the budget to
  // throw it away.
  const uint64_t input_bytes = source.progress().bytes_total;
  const bool may_fit =
      input_bytes == 0 || input_bytes / 4 * FieldCache::kHashedTokenBytes <= options.cache_bytes;
  if (options.cache_bytes > 0 && may_fit) {
    for (int i = 0; i < threads; ++i) {
      out.caches.emplace_back(options.cache_bytes / static_cast<size_t>(threads));
    }
  }
  std::vector<std::vector<uint64_t>> ids(static_cast<size_t>(threads));  // check_duplicate_ids
  for (int i = 0; i < threads; ++i) {
    counters.push_back(std::make_unique<DocumentCounter>(options.tokenizer));
    if (options.abbreviations) counters.back()->CountAbbreviationsToo();
    if (!out.caches.empty()) counters.back()->KeepFieldsIn(&out.caches[static_cast<size_t>(i)]);
    if (options.check_duplicate_ids) counters.back()->KeepIdHashesIn(&ids[static_cast<size_t>(i)]);
  }
  std::unique_ptr<TermRuns> runs;
  if (options.table_bytes > 0) {
    runs = std::make_unique<TermRuns>(options.spill_dir);
    for (auto& c : counters) c->SpillTo(runs.get(), options.table_bytes / counters.size());
  }
  NJ_RETURN_IF_ERROR(RunPass(
      source, threads,
      [&](int index, const Document& doc) { counters[static_cast<size_t>(index)]->Add(doc); },
      rejects, progress));
  if (options.check_duplicate_ids) {
    out.duplicate_ids =
        CountDuplicates(std::move(ids), options.keep_id_hashes ? &out.id_hashes : nullptr);
  }

  for (auto& c : counters) NJ_RETURN_IF_ERROR(c->spill_status());
  if (std::any_of(out.caches.begin(), out.caches.end(),
                  [](const FieldCache& c) { return c.overflowed(); })) {
    out.caches.clear();  // past the budget: the mining passes read the corpus
  }
  out.totals = counters[0]->totals();
  out.abbreviations = std::move(counters[0]->abbreviations());
  out.abbreviations_counted = options.abbreviations;
  for (int i = 1; i < threads; ++i) {
    out.totals.Merge(counters[i]->totals());
    out.abbreviations.Merge(counters[i]->abbreviations());
  }
  // Merging tables in memory may take as much again as they hold: past half the budget, the
  // merge goes through runs too.
  size_t table_bytes = 0;
  for (auto& c : counters) table_bytes += c->terms().MemoryBytes();
  if (runs != nullptr && (runs->runs() > 0 || 2 * table_bytes > options.table_bytes)) {
    NJ_RETURN_IF_ERROR(MergeSpilledTerms(counters, *runs, options.max_terms, &out));
    return out;
  }
  out.count_peak_rss = PeakRssBytes();
  out.terms = std::move(counters[0]->terms());
  for (int i = 1; i < threads; ++i) {
    out.terms.Merge(counters[i]->terms());
    counters[i].reset();  // free each shard's table as soon as it is merged
  }
  out.distinct_terms = out.terms.size();
  out.min_kept_frequency = KeepMostFrequent(options.max_terms, &out.terms);
  return out;
}

}  // namespace nightjar
