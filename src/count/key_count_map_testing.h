#ifndef NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_
#define NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_

#include <cstdint>
#include <map>
#include <utility>

#include "count/sorted_pair_counts.h"

namespace nightjar {

// A count map's contents (KeyCountMap, KeyCountMap32, PairCountMap) as an ordered map, for
// tests to compare.
template <typename Map>
std::map<uint64_t, uint64_t> ContentsOf(const Map& m) {
  std::map<uint64_t, uint64_t> out;
  m.ForEach([&](auto k, uint64_t c) { out[k] += c; });
  return out;
}

// The counts of `c`, keyed (row, column).
inline std::map<std::pair<uint64_t, uint32_t>, uint64_t> ContentsOf(const SortedPairCounts& c) {
  std::map<std::pair<uint64_t, uint32_t>, uint64_t> out;
  c.ForEach([&](uint64_t row, uint32_t column, uint64_t n) { out[{row, column}] += n; });
  return out;
}

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_
