#include "lexicon/context_bigrams.h"

#include <algorithm>
#include <bit>

#include "count/radix_sort.h"
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
  std::vector<uint64_t> keys;
  keys.reserve(levels.TermsAtLeast(floor));
  counts.bigrams.ForEach([&](uint64_t key, uint64_t n) {
    if (n >= floor) keys.push_back(key);
  });
  std::vector<uint64_t> spare(keys.size());
  const int bits = 32 + static_cast<int>(std::bit_width(vocab.size()));
  const uint64_t* sorted = RadixSort(keys.data(), spare.data(), keys.size(), bits);
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint64_t key = sorted[i];
    out.push_back(ContextBigram{vocab.term(static_cast<uint32_t>(key >> 32)),
                                vocab.term(static_cast<uint32_t>(key)), counts.bigrams.Get(key)});
  }
  return out;
}

}  // namespace nightjar
