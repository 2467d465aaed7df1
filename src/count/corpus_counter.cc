#include "count/corpus_counter.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "count/field_reader.h"
#include "count/radix_sort.h"
#include "util/status_macros.h"

namespace nightjar {
uint64_t CountDuplicates(std::vector<std::vector<uint64_t>> parts) {
  std::vector<uint64_t> all = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    all.insert(all.end(), parts[i].begin(), parts[i].end());
    parts[i] = {};
  }
  std::vector<uint64_t> spare(all.size());
  const uint64_t* sorted = RadixSort(all.data(), spare.data(), all.size(), 64);
  uint64_t duplicates = 0;
  for (size_t i = 1; i < all.size(); ++i) duplicates += sorted[i] == sorted[i - 1];
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

void DocumentCounter::Add(const Document& doc) {
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
}

CorpusTotals DocumentCounter::totals() const {
  CorpusTotals t = totals_;
  t.long_tokens_skipped = tokenizer_.long_tokens_skipped();
  return t;
}

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
  NJ_RETURN_IF_ERROR(RunPass(
      source, threads,
      [&](int index, const Document& doc) { counters[static_cast<size_t>(index)]->Add(doc); },
      rejects, progress));
  if (options.check_duplicate_ids) out.duplicate_ids = CountDuplicates(std::move(ids));

  out.terms = std::move(counters[0]->terms());
  out.totals = counters[0]->totals();
  out.abbreviations = std::move(counters[0]->abbreviations());
  out.abbreviations_counted = options.abbreviations;
  for (int i = 1; i < threads; ++i) {
    out.terms.Merge(counters[i]->terms());
    out.totals.Merge(counters[i]->totals());
    out.abbreviations.Merge(counters[i]->abbreviations());
    counters[i].reset();  // free each shard's table as soon as it is merged
  }
  if (std::any_of(out.caches.begin(), out.caches.end(),
                  [](const FieldCache& c) { return c.overflowed(); })) {
    out.caches.clear();  // past the budget: the mining passes read the corpus
  }
  return out;
}

}  // namespace nightjar
