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
  out.reserve(levels.TermsAtLeast(floor));
  counts.bigrams.ForEach([&](uint64_t key, uint64_t n) {
    if (n < floor) return;
    out.push_back(ContextBigram{vocab.term(static_cast<uint32_t>(key >> 32)),
                                vocab.term(static_cast<uint32_t>(key)), n});
  });
  std::sort(out.begin(), out.end(), [](const ContextBigram& a, const ContextBigram& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  return out;
}

}  // namespace nightjar
