#ifndef NIGHTJAR_COUNT_KEY_COUNT_MAP_H_
#define NIGHTJAR_COUNT_KEY_COUNT_MAP_H_

#include <cstddef>
#include <cstdint>

#include "util/zeroed_pages.h"

namespace nightjar {

// Exact counts keyed by 64-bit integers (packed id pairs and triples): the second and third
// passes' bigram, trigram, co-occurrence and context counts. Open addressing with linear
// probing over 16-byte slots on huge pages, Fibonacci hashing, and AddBatch, which prefetches
// the slots of keys a few places ahead so that their cache misses overlap. Merge adds, so
// shards and threads combine in any order. Not thread-safe: one per thread, merged at the end.
class KeyCountMap {
 public:
  KeyCountMap() { Allocate(kMinCapacity); }
  KeyCountMap(KeyCountMap&& other) noexcept { *this = static_cast<KeyCountMap&&>(other); }
  KeyCountMap& operator=(KeyCountMap&& other) noexcept;
  KeyCountMap(const KeyCountMap&) = delete;
  KeyCountMap& operator=(const KeyCountMap&) = delete;

  // count(key) += n.
  void Add(uint64_t key, uint64_t n = 1) {
    if (key == 0) {
      size_ += zero_count_ == 0 && n > 0;
      zero_count_ += n;
      return;
    }
    Slot& s = FindOrInsert(key);
    s.count += n;
  }
  // count(keys[i]) += 1 for each i.
  void AddBatch(const uint64_t* keys, size_t n);
  // Adds every count of `other`.
  void Merge(const KeyCountMap& other);

  // The count of `key`; 0 when absent.
  uint64_t Get(uint64_t key) const;
  // Keys with a count.
  size_t size() const { return size_; }

  // fn(uint64_t key, uint64_t count) for every key, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (zero_count_ > 0) fn(uint64_t{0}, zero_count_);
    for (size_t i = 0; i < capacity_; ++i) {
      if (slots_[i].key != 0) fn(slots_[i].key, slots_[i].count);
    }
  }

 private:
  static constexpr size_t kMinCapacity = 1024;
  struct Slot {
    uint64_t key;  // 0 = empty (key 0 is counted in zero_count_)
    uint64_t count;
  };

  size_t IndexOf(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  Slot& FindOrInsert(uint64_t key) {
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
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_KEY_COUNT_MAP_H_
