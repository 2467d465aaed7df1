#include "refresh/memory_plan.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "count/field_cache.h"

namespace nightjar {

MemoryPlan PlanMemory(const RefreshOptions& options, int threads) {
  constexpr size_t kMiB = size_t{1} << 20;
  MemoryPlan p;
  p.budget =
      static_cast<size_t>(std::max<int64_t>(options.memory_budget_mb, kMinMemoryBudgetMb)) * kMiB;
  // The binary and its libraries, and per thread the batches in flight and a parser's buffers.
  p.reserve = 48 * kMiB + static_cast<size_t>(threads) * 16 * kMiB;
  p.caches = std::min(static_cast<size_t>(options.lexicons.pass_cache_mb) * kMiB, p.budget / 4);
  p.tables = p.budget > p.reserve + p.caches ? p.budget - p.reserve - p.caches : p.budget / 8;
  p.state = p.budget / 8;
  // A checkpoint holds its documents' text about four times over (the new copies, the records
  // they replace, the write batch) beside the deltas counted from it.
  p.checkpoint = std::min(options.state.checkpoint_mb * kMiB, p.budget / 16);
  p.deltas = p.budget / 4;
  return p;
}

uint64_t MiningBoundBytes(const RefreshOptions& options, const CorpusCounts& counts, int threads) {
  const LexiconOptions& l = options.lexicons;
  const uint64_t dictionary_floor = std::max<uint64_t>(
      l.variants.word_min_frequency, static_cast<uint64_t>(std::ceil(l.variants.min_ratio)));
  const auto k = static_cast<uint64_t>(l.related.top_k);
  uint64_t terms = 0, dictionary = 0, phrase_words = 0, phrase_tokens = 0;
  std::vector<uint64_t> frequencies;  // of the words that may become units
  counts.terms.ForEach([&](std::string_view, const TermStats& s) {
    ++terms;
    dictionary += s.frequency >= dictionary_floor;
    if (s.frequency >= l.phrases.min_count) {
      ++phrase_words;
      phrase_tokens += s.frequency;
    }
    frequencies.push_back(s.frequency);
  });
  const size_t top = std::min<size_t>(frequencies.size(), 4 * k);
  std::partial_sort(frequencies.begin(), frequencies.begin() + static_cast<ptrdiff_t>(top),
                    frequencies.end(), std::greater<>());
  uint64_t unit_tokens = 0;
  for (size_t i = 0; i < top; ++i) unit_tokens += frequencies[i];
  const auto t = static_cast<uint64_t>(threads);
  // Per kept term: its table slot (40 bytes at a load down to 0.35), the vocabulary row and
  // index, the hash-resolution table, the unit and slot maps, its spelling record.
  uint64_t bytes = terms * (115 + 96 + 64 + 16 + 2 * t + 96);
  bytes += dictionary * 40 * 8;  // the delete index: ~40 deletes of 8 bytes a word
  // Bigrams of phrase words (8-byte slots at half load, per thread and merged), at most one a
  // token of a phrase word; trigrams (12 bytes sorted, and as much spare) as many.
  const uint64_t pairs = std::min(phrase_words * phrase_words, phrase_tokens);
  bytes += pairs * (16 * (t + 1) + 24);
  // Kept text for the third pass: at most passes.cache_mb, and no more than the corpus's tokens.
  bytes += std::min(static_cast<uint64_t>(l.pass_cache_mb) << 20,
                    counts.totals.tokens * FieldCache::kTokenBytes);
  // Units: their co-occurring pairs (at most top_k^2 / 2, or `window` a unit token; 12 bytes
  // sorted, twice while merged), the candidates' contexts as many again, and the dense vectors.
  const auto window = static_cast<uint64_t>(l.cooccurrence.window);
  bytes += std::min(k * k / 2, unit_tokens * window) * 12 * 2 * 2;
  const uint64_t dims = static_cast<uint64_t>(l.related.dimensions) +
                        static_cast<uint64_t>(l.related.subword_dimensions);
  bytes += k * dims * 8 * 8;
  return bytes;
}

}  // namespace nightjar
