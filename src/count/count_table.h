#ifndef NIGHTJAR_COUNT_COUNT_TABLE_H_
#define NIGHTJAR_COUNT_COUNT_TABLE_H_

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "count/arena.h"
#include "util/zeroed_pages.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {

// An exact counting hash table from byte-string keys to (count, distinct): the engine under
// TermTable (term frequency, document frequency) and NgramTable (frequency, term count).
//
// Built for the counting hot path, which is bound by memory latency: open addressing with
// linear probing over 40-byte slots that hold the full hash, keys of up to 8 bytes stored
// inline (no second cache miss), and Prefetch() so that callers can hash a few keys ahead of
// inserting them. `distinct` rises once per change of the caller's unit stamp (a document, a
// term), which replaces a per-unit set. Keys must not be empty. Not thread-safe.
class CountTable {
 public:
  CountTable() : CountTable(0) {}
  // Pre-sizes for `expected` keys.
  explicit CountTable(size_t expected);
  // A moved-from table is empty and usable.
  CountTable(CountTable&& other) noexcept { *this = std::move(other); }
  CountTable& operator=(CountTable&& other) noexcept;
  CountTable(const CountTable&) = delete;
  CountTable& operator=(const CountTable&) = delete;

  // The hash every method expects for `key`.
  static uint64_t Hash(std::string_view key) {
    uint64_t h = XXH3_64bits(key.data(), key.size()) & ~kLongBit;
    return h == 0 ? 1 : h;
  }

  // Starts loading the slot `hash` lands in, ahead of an AddOccurrence/Add with that hash.
  void Prefetch(uint64_t hash) const {
    const Slot* s = &slots_[hash & mask_];
    __builtin_prefetch(s, 1, 3);
    __builtin_prefetch(reinterpret_cast<const char*>(s) + sizeof(Slot) - 1, 1, 3);
  }

  // One occurrence of `key` in the unit stamped `stamp` (non-zero; each unit's occurrences
  // consecutive): count += 1, and distinct += 1 the first time per unit.
  void AddOccurrence(std::string_view key, uint64_t hash, uint64_t stamp) {
    AddWeighted(key, hash, 1, stamp);
  }

  // `weight` occurrences of `key` in the unit stamped `stamp` (as AddOccurrence).
  void AddWeighted(std::string_view key, uint64_t hash, uint64_t weight, uint64_t stamp) {
    Slot& s = FindOrInsert(key, hash);
    s.count += weight;
    if (s.stamp != stamp) {
      s.stamp = stamp;
      ++s.distinct;
    }
  }

  // Adds counts to `key`.
  void Add(std::string_view key, uint64_t hash, uint64_t count, uint64_t distinct) {
    Slot& s = FindOrInsert(key, hash);
    s.count += count;
    s.distinct += distinct;
  }

  // Adds every key's counts of `other` (an associative, commutative merge).
  void Merge(const CountTable& other);

  // Counts of `key`; false (and zeros) when absent.
  bool Get(std::string_view key, uint64_t* count, uint64_t* distinct) const;

  size_t size() const { return size_; }

  // fn(std::string_view key, uint64_t count, uint64_t distinct) for every key, in slot order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.tag != 0) fn(KeyOf(s), s.count, s.distinct);
    }
  }

 private:
  static constexpr uint64_t kLongBit = uint64_t{1} << 63;  // tag bit: key stored in the arena

  struct Slot {
    uint64_t tag = 0;  // hash with kLongBit for arena keys; 0 = empty
    uint64_t key = 0;  // inline bytes (zero-padded) or a pointer to [uint16 len][bytes]
    uint64_t count = 0;
    uint64_t distinct = 0;
    uint64_t stamp = 0;
  };

  // The bytes of a key of at most 8 bytes as a zero-padded little-endian word, read with
  // fixed-size loads that stay inside the key (a variable-length memcpy is a libc call).
  static uint64_t InlineKey(std::string_view key) {
    const char* p = key.data();
    const size_t n = key.size();
    if (n >= 4) {
      uint32_t lo, hi;
      __builtin_memcpy(&lo, p, 4);
      __builtin_memcpy(&hi, p + n - 4, 4);
      return uint64_t{lo} | (uint64_t{hi} << ((n - 4) * 8));
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    return v;
  }
  // Keys of at most 8 bytes without a NUL byte live in the slot itself.
  static bool IsInline(std::string_view key, uint64_t word) {
    if (key.size() > 8) return false;
    constexpr uint64_t kLow = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    const uint64_t used = key.size() == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * key.size())) - 1;
    return (((word - kLow) & ~word & kHigh) & used) == 0;
  }
  static std::string_view KeyOf(const Slot& s) {
    if (s.tag & kLongBit) {
      const char* p = reinterpret_cast<const char*>(s.key);
      uint16_t len;
      std::memcpy(&len, p, sizeof(len));
      return {p + sizeof(len), len};
    }
    const char* bytes = reinterpret_cast<const char*>(&s.key);
    size_t len = 0;
    while (len < 8 && bytes[len] != 0) ++len;
    return {bytes, len};
  }

  // KeyOf(s) == key for an arena key, with 8-byte loads (the
  // last one overlapping) instead of a memcmp call.
  static bool LongKeyEquals(const Slot& s, std::string_view key) {
    const char* p = reinterpret_cast<const char*>(s.key);
    uint16_t len;
    std::memcpy(&len, p, sizeof(len));
    if (len != key.size()) return false;
    p += sizeof(len);
    const char* q = key.data();
    const size_t n = key.size();
    if (n < 8) return std::memcmp(p, q, n) == 0;  // a short key holding a NUL byte
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8 < n; i += 8) {
      uint64_t a, b;
      __builtin_memcpy(&a, p + i, 8);
      __builtin_memcpy(&b, q + i, 8);
      diff |= a ^ b;
    }
    uint64_t a, b;
    __builtin_memcpy(&a, p + n - 8, 8);
    __builtin_memcpy(&b, q + n - 8, 8);
    return (diff | (a ^ b)) == 0;
  }

  Slot& FindOrInsert(std::string_view key, uint64_t hash) {
    const uint64_t k = key.size() <= 8 ? InlineKey(key) : 0;
    if (IsInline(key, k)) {
      for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.tag == hash && s.key == k) return s;
        if (s.tag == 0) return Insert(i, hash, k);
      }
    }
    const uint64_t tag = hash | kLongBit;
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.tag == tag && LongKeyEquals(s, key)) return s;
      if (s.tag == 0) return Insert(i, tag, StoreLong(key));
    }
  }

  Slot& Insert(uint64_t index, uint64_t tag, uint64_t key);
  void Allocate(size_t capacity);  // fresh, empty slots
  uint64_t StoreLong(std::string_view key);
  void Grow();

  ZeroedPages pages_;  // owns the slots; zero bytes are empty slots
  Slot* slots_ = nullptr;
  size_t capacity_ = 0;  // a power of two
  uint64_t mask_ = 0;
  size_t size_ = 0;
  size_t grow_at_ = 0;
  StringArena arena_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_COUNT_TABLE_H_
