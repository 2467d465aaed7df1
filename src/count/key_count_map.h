#ifndef NIGHTJAR_COUNT_KEY_COUNT_MAP_H_
#define NIGHTJAR_COUNT_KEY_COUNT_MAP_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "util/zeroed_pages.h"

namespace nightjar {

// Exact counts keyed by integers (packed id pairs and triples): the second and third passes'
// bigram, trigram, co-occurrence and context counts. Open addressing with linear probing over
// slots of a Word key and a Word count (16 bytes for uint64_t, 8 for uint32_t) on huge pages,
// Fibonacci hashing, and AddBatch, which prefetches the slots of keys a few places ahead so that
// their cache misses overlap. An increment that would overflow a slot's count goes to a side
// map instead, so counts stay exact past 2^32 with 32-bit words. Merge adds, so shards and
// threads combine in any order. Not thread-safe: one per thread, merged at the end.
template <typename Word>
class BasicKeyCountMap {
 public:
  BasicKeyCountMap() { Allocate(kMinCapacity); }
  BasicKeyCountMap(BasicKeyCountMap&& other) noexcept {
    *this = static_cast<BasicKeyCountMap&&>(other);
  }
  BasicKeyCountMap& operator=(BasicKeyCountMap&& other) noexcept;
  BasicKeyCountMap(const BasicKeyCountMap&) = delete;
  BasicKeyCountMap& operator=(const BasicKeyCountMap&) = delete;

  // count(key) += n.
  void Add(Word key, uint64_t n = 1) {
    if (key == 0) {
      size_ += zero_count_ == 0 && n > 0;
      zero_count_ += n;
      return;
    }
    Slot& s = FindOrInsert(key);
    if (n <= static_cast<uint64_t>(kMaxCount - s.count)) {
      s.count += static_cast<Word>(n);
    } else {
      overflow_[key] += n;  // the slot's count plus this is the key's count
    }
  }
  // count(keys[i]) += 1 for each i.
  void AddBatch(const Word* keys, size_t n);
  // Adds every count of `other`.
  void Merge(const BasicKeyCountMap& other);
  // The same keys with the same counts.
  bool operator==(const BasicKeyCountMap& other) const;
  // The sum of `maps` (each left empty), on `threads` threads. The largest map takes the others'
  // counts in place, grown first to an estimate of the union; each thread writes only the
  // slots of its own share of the table, taking the keys whose home slot is in its share in
  // slot order, so its writes sweep its share instead of landing at random. Keys whose probe
  // runs past the end of a share, and counts past a slot's Word, are added afterwards on the
  // calling thread. Equal to merging the maps one into another.
  static BasicKeyCountMap Sum(const std::vector<BasicKeyCountMap*>& maps, int threads);

  // The count of `key`; 0 when absent.
  uint64_t Get(Word key) const;
  // Keys with a count.
  size_t size() const { return size_; }

  // fn(Word key, uint64_t count) for every key, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (zero_count_ > 0) fn(Word{0}, zero_count_);
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.key != 0) fn(s.key, Total(s));
    }
  }

 private:
  static constexpr size_t kMinCapacity = 1024;
  static constexpr Word kMaxCount = std::numeric_limits<Word>::max();
  struct Slot {
    Word key;  // 0 = empty (key 0 is counted in zero_count_)
    Word count;
  };

  size_t IndexOf(Word key) const {
    return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  uint64_t Total(const Slot& s) const {
    if (overflow_.empty()) return s.count;
    auto it = overflow_.find(s.key);
    return s.count + (it == overflow_.end() ? 0 : it->second);
  }
  Slot& FindOrInsert(Word key) {
    for (size_t i = IndexOf(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return s;
      if (s.key == 0) {
        if (size_ + 1 > grow_at_) {
          Grow();
          return FindOrInsert(key);
        }
        s.key = key;
        ++size_;
        return s;
      }
    }
  }
  void Allocate(size_t capacity);
  void Grow();

  ZeroedPages pages_;
  Slot* slots_ = nullptr;
  size_t capacity_ = 0;  // a power of two
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;  // keys with a count, key 0 included
  size_t grow_at_ = 0;
  uint64_t zero_count_ = 0;
  absl::flat_hash_map<Word, uint64_t> overflow_;  // counts past a slot's Word, rarely any
};

// 64-bit keys and counts: packed vocabulary id pairs and triples.
using KeyCountMap = BasicKeyCountMap<uint64_t>;
// 32-bit keys and counts, half the memory: pairs of ids below 2^16 (see PairCountMap).
using KeyCountMap32 = BasicKeyCountMap<uint32_t>;

extern template class BasicKeyCountMap<uint64_t>;
extern template class BasicKeyCountMap<uint32_t>;

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_KEY_COUNT_MAP_H_
