#ifndef NIGHTJAR_COUNT_PAIR_COUNT_MAP_H_
#define NIGHTJAR_COUNT_PAIR_COUNT_MAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "count/key_count_map.h"

namespace nightjar {

// Exact counts keyed by pairs of 32-bit ids, given packed as a << 32 | b: the second pass's
// bigrams, the third pass's co-occurrence and spelling-context counts. Stored in 8-byte slots
// (KeyCountMap32): one map per block of 2^16 x 2^16 pairs, keyed by the ids' low halves, so that
// the usual case (ids below 2^16: units, spelling slots, most words of a bigram) is one map at
// half a KeyCountMap's memory and cache misses, and larger ids still count (AddBatch sorts
// those by block, to batch them too). Merge adds. Not thread-safe: one per thread.
class PairCountMap {
 public:
  // count(key) += n.
  void Add(uint64_t key, uint64_t n = 1) { MapOf(key).Add(Low(key), n); }
  // count(keys[i]) += 1 for each i.
  void AddBatch(const uint64_t* keys, size_t n);
  // Adds every count of `other`.
  void Merge(const PairCountMap& other);
  // The same keys with the same counts.
  bool operator==(const PairCountMap& other) const;
  // The sum of `maps` (each left empty), the block of small ids on `threads` threads
  // (KeyCountMap32::Sum), the other blocks one after another.
  static PairCountMap Sum(const std::vector<PairCountMap*>& maps, int threads);

  // The count of `key`; 0 when absent.
  uint64_t Get(uint64_t key) const;
  // Keys with a count.
  size_t size() const;

  // fn(uint64_t key, uint64_t count) for every key (a << 32 | b), in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    first_.ForEach([&](uint32_t low, uint64_t n) { fn(Join(0, low), n); });
    for (const auto& entry : blocks_) {
      const uint32_t block = entry.first;
      entry.second.ForEach([&](uint32_t low, uint64_t n) { fn(Join(block, low), n); });
    }
  }

 private:
  static constexpr uint64_t kHighHalves = 0xFFFF0000FFFF0000ULL;
  static uint32_t Low(uint64_t key) {
    return static_cast<uint32_t>((key >> 16 & 0xFFFF0000) | (key & 0xFFFF));
  }
  static uint32_t Block(uint64_t key) {
    return static_cast<uint32_t>((key >> 32 & 0xFFFF0000) | (key >> 16 & 0xFFFF));
  }
  static uint64_t Join(uint32_t block, uint32_t low) {
    return (uint64_t{block >> 16} << 48) | (uint64_t{low >> 16} << 32) |
           (uint64_t{block & 0xFFFF} << 16) | (low & 0xFFFF);
  }
  KeyCountMap32& MapOf(uint64_t key) {
    return (key & kHighHalves) == 0 ? first_ : blocks_[Block(key)];
  }

  KeyCountMap32 first_;                                  // block 0: both ids below 2^16
  absl::flat_hash_map<uint32_t, KeyCountMap32> blocks_;  // the others, by Block()
  std::vector<uint32_t> batch_;                          // AddBatch's keys for one map
  std::vector<uint64_t> others_;  // AddBatch's keys outside block 0, as Block << 32 | Low
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_PAIR_COUNT_MAP_H_
