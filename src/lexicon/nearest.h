#ifndef NIGHTJAR_LEXICON_NEAREST_H_
#define NIGHTJAR_LEXICON_NEAREST_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "lexicon/related.h"

namespace nightjar {

// How NearestUnits finds the best pairs; both give the same lists.
enum class NearestSearch {
  kExact,     // every pair scored in float
  kScreened,  // where the CPU has AVX512-BF16: every pair scored in bfloat16 (twice as fast),
              // those that may reach a unit's top n by that bound scored again in float
};

// For each unit, up to top_n other units by cosine (best first), each >= min_score, the score
// clamped into [0, 1]. Scores every pair once, on `threads` threads; the same lists whatever the
// thread count and search.
std::vector<std::vector<std::pair<uint32_t, float>>> NearestUnits(
    const UnitVectors& vectors, const RelatedOptions& options, int threads,
    NearestSearch search = NearestSearch::kScreened);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_NEAREST_H_
