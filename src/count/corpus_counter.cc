#include "count/corpus_counter.h"

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "util/status_macros.h"

namespace nightjar {
namespace {

// Copies a token (at most 256 bytes) with fixed-size moves for the common short lengths.
inline void CopyToken(char* dst, std::string_view t) {
  const size_t n = t.size();
  const char* s = t.data();
  if (n >= 8 && n <= 16) {
    __builtin_memcpy(dst, s, 8);
    __builtin_memcpy(dst + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    __builtin_memcpy(dst, s, 4);
    __builtin_memcpy(dst + n - 4, s + n - 4, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) dst[i] = s[i];
  } else {
    std::memcpy(dst, s, n);
  }
}

}  // namespace

void CorpusTotals::Merge(const CorpusTotals& o) {
  documents += o.documents;
  deleted += o.deleted;
  truncated += o.truncated;
  tokens += o.tokens;
  text_bytes += o.text_bytes;
  long_tokens_skipped += o.long_tokens_skipped;
}

void DocumentCounter::Add(const Document& doc) {
  if (doc.deleted) {
    ++totals_.deleted;
    return;
  }
  ++totals_.documents;
  totals_.truncated += doc.truncated;
  const uint64_t stamp = ++doc_stamp_;
  uint64_t tokens = 0;
  // Tokens wait in a small ring between hashing (which prefetches their slot) and counting, so
  // that kPipeline cache misses are in flight at once instead of one.
  size_t head = 0, tail = 0;
  auto count_oldest = [&] {
    Pending& p = pending_[tail++ % kPipeline];
    terms_.AddOccurrence(std::string_view(p.bytes, p.len), p.hash, stamp);
  };
  for (std::string_view field : doc.fields) {
    totals_.text_bytes += field.size();
    tokenizer_.Tokenize(field, [&](const Token& tok) {
      if (head - tail == kPipeline) count_oldest();
      Pending& p = pending_[head++ % kPipeline];
      p.hash = CountTable::Hash(tok.folded);
      p.len = static_cast<uint32_t>(tok.folded.size());
      CopyToken(p.bytes, tok.folded);
      terms_.Prefetch(p.hash);
      ++tokens;
    });
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
  for (int i = 0; i < threads; ++i) {
    counters.push_back(std::make_unique<DocumentCounter>(options.tokenizer));
  }
  NJ_RETURN_IF_ERROR(RunPass(
      source, threads,
      [&](int index, const Document& doc) { counters[static_cast<size_t>(index)]->Add(doc); },
      rejects, progress));

  CorpusCounts out;
  out.terms = std::move(counters[0]->terms());
  out.totals = counters[0]->totals();
  for (int i = 1; i < threads; ++i) {
    out.terms.Merge(counters[i]->terms());
    out.totals.Merge(counters[i]->totals());
    counters[i].reset();  // free each shard's table as soon as it is merged
  }
  out.ngrams = NgramTable::FromTerms(out.terms, options.ngram_min, options.ngram_max, threads);
  return out;
}

}  // namespace nightjar
