#include "lexicon/context_bigrams.h"

#include <algorithm>

#include "count/term_cap.h"

namespace nightjar {

std::vector<ContextBigram> SelectBigrams(const Vocabulary& vocab, const PhraseCounts& counts,
                                         const BigramOptions& options) {
  std::vector<ContextBigram> out;
  if (options.min_count == 0) return out;
  // First the count levels, so that only the kept pairs are ever collected.
  FrequencyLevels levels;
  counts.bigrams.ForEach([&](uint64_t, uint64_t n) {
    if (n >= options.min_count) levels.Add(n);
  });
  const uint64_t floor = std::max(options.min_count, levels.MinKept(options.max_bigrams));
  if (floor == UINT64_MAX) return out;
  // Sorted as keys (first id, then second id): ids are frequency ranks, so the most frequent
  // first words come first, and integers sort far faster than the pairs' text.
  std::vector<std::pair<uint64_t, uint64_t>> kept;
  kept.reserve(levels.TermsAtLeast(floor));
  counts.bigrams.ForEach([&](uint64_t key, uint64_t n) {
    if (n >= floor) kept.emplace_back(key, n);
  });
  std::sort(kept.begin(), kept.end());
  out.reserve(kept.size());
  for (const auto& [key, n] : kept) {
    out.push_back(ContextBigram{vocab.term(static_cast<uint32_t>(key >> 32)),
                                vocab.term(static_cast<uint32_t>(key)), n});
  }
  return out;
}

}  // namespace nightjar
