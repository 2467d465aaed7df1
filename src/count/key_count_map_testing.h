#ifndef NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_
#define NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_

#include <cstdint>
#include <map>

#include "count/key_count_map.h"

namespace nightjar {

// A KeyCountMap's contents as an ordered map, for tests to compare.
inline std::map<uint64_t, uint64_t> ContentsOf(const KeyCountMap& m) {
  std::map<uint64_t, uint64_t> out;
  m.ForEach([&](uint64_t k, uint64_t c) { out[k] += c; });
  return out;
}

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_KEY_COUNT_MAP_TESTING_H_
