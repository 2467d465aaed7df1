#ifndef NIGHTJAR_COUNT_COUNT_TABLE_H_
#define NIGHTJAR_COUNT_COUNT_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <utility>

#include "count/arena.h"
#include "util/zeroed_pages.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {
namespace count_table_internal {

// Byte masks of a key of n <= 16 bytes over its two little-endian words.
constexpr uint64_t LowMask(size_t n) {
  return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
}
constexpr uint64_t HighMask(size_t n) {
  return n <= 8 ? 0 : n >= 16 ? ~uint64_t{0} : (uint64_t{1} << (8 * (n - 8))) - 1;
}
template <size_t... I>
constexpr std::array<uint64_t, sizeof...(I)> LowMasks(std::index_sequence<I...>) {
  return {LowMask(I)...};
}
template <size_t... I>
constexpr std::array<uint64_t, sizeof...(I)> HighMasks(std::index_sequence<I...>) {
  return {HighMask(I)...};
}
inline constexpr auto kLowMask = LowMasks(std::make_index_sequence<17>());
inline constexpr auto kHighMask = HighMasks(std::make_index_sequence<17>());

}  // namespace count_table_internal

// An exact counting hash table from byte-string keys to (count, distinct): the engine under
// TermTable (term frequency, document frequency) and NgramTable (frequency, term count).
//
// Built for the counting hot path, which is bound by branch mispredictions and memory latency:
// open addressing with linear probing over 40-byte slots; keys of up to 16 bytes (nearly every
// token and n-gram) live in the slot as two words, are hashed without a branch on their length
// and compared with two word compares; longer keys go to an arena. Callers turn a key into a
// Key once (MakeKey), Prefetch its slot, and insert it a few keys later so that cache misses
// overlap. `distinct` rises once per change of the caller's unit stamp (a document, a term),
// which replaces a per-unit set. Keys must not be empty. Not thread-safe.
class CountTable {
 public:
  // A key ready for the table: hashed once, and its bytes held in two zero-padded words when
  // it is short. A long key's `bytes` must stay valid until the Key is used.
  struct Key {
    uint64_t hash = 0;
    uint64_t w0 = 0, w1 = 0;  // a short key's bytes, little-endian, zero-padded
    std::string_view bytes;
    bool is_short = false;  // at most 16 bytes and no NUL byte
  };

  CountTable() : CountTable(0) {}
  // Pre-sizes for `expected` keys.
  explicit CountTable(size_t expected);
  // A moved-from table is empty and usable.
  CountTable(CountTable&& other) noexcept { *this = std::move(other); }
  CountTable& operator=(CountTable&& other) noexcept;
  CountTable(const CountTable&) = delete;
  CountTable& operator=(const CountTable&) = delete;

  // Prepares `key`. `readable` is how many bytes may be read at key.data(); with 16 or more a
  // short key is loaded with two word reads instead of a byte copy.
  static Key MakeKey(std::string_view key, size_t readable = 0) {
    Key k;
    k.bytes = key;
    const size_t n = key.size();
    if (n > kShortMax) {
      k.hash = XXH3_64bits(key.data(), n);
      return k;
    }
    if (readable >= kShortMax) {
      __builtin_memcpy(&k.w0, key.data(), 8);
      __builtin_memcpy(&k.w1, key.data() + 8, 8);
    } else {
      char buf[kShortMax] = {};
      for (size_t i = 0; i < n; ++i) buf[i] = key[i];
      __builtin_memcpy(&k.w0, buf, 8);
      __builtin_memcpy(&k.w1, buf + 8, 8);
    }
    const uint64_t low = count_table_internal::kLowMask[n];
    const uint64_t high = count_table_internal::kHighMask[n];
    k.w0 &= low;
    k.w1 &= high;
    k.is_short = !HasZeroByte(k.w0, low) && !HasZeroByte(k.w1, high);
    k.hash = k.is_short ? HashShort(k.w0, k.w1) : XXH3_64bits(key.data(), n);
    return k;
  }

  // The hash MakeKey gives `key`.
  static uint64_t Hash(std::string_view key) { return MakeKey(key).hash; }

  // Starts loading the slot `key` lands in, ahead of an AddOccurrence/Add with it.
  void Prefetch(const Key& key) const {
    const Slot* s = &slots_[key.hash & mask_];
    __builtin_prefetch(s, 1, 3);
    __builtin_prefetch(reinterpret_cast<const char*>(s) + sizeof(Slot) - 1, 1, 3);
  }

  // One occurrence of `key` in the unit stamped `stamp` (non-zero; each unit's occurrences
  // consecutive): count += 1, and distinct += 1 the first time per unit.
  void AddOccurrence(const Key& key, uint32_t stamp) { AddWeighted(key, 1, stamp); }

  // `weight` occurrences of `key` in the unit stamped `stamp` (as AddOccurrence).
  void AddWeighted(const Key& key, uint64_t weight, uint32_t stamp) {
    Slot& s = FindOrInsert(key);
    s.count += weight;
    s.distinct += (s.stamp != stamp);
    s.stamp = stamp;
  }

  // Adds counts to `key`.
  void Add(const Key& key, uint64_t count, uint64_t distinct) {
    Slot& s = FindOrInsert(key);
    s.count += count;
    s.distinct += distinct;
  }

  // Forgets every unit stamp, so that stamps can start again from 1 (when a 32-bit stamp
  // counter wraps).
  void ResetStamps();

  // Adds every key's counts of `other` (an associative, commutative merge).
  void Merge(const CountTable& other);
  // The same keys with the same counts (unit stamps and layout aside).
  bool operator==(const CountTable& other) const;

  // Counts of `key`; false (and zeros) when absent.
  bool Get(std::string_view key, uint64_t* count, uint64_t* distinct) const;
  bool Get(const Key& key, uint64_t* count, uint64_t* distinct) const;

  size_t size() const { return size_; }
  // Bytes the table holds: its slots and the arena of long keys.
  size_t MemoryBytes() const { return capacity_ * sizeof(Slot) + arena_.bytes(); }
  // Bytes held while growing: the slots, the arena and the twice-as-large new slots.
  size_t GrowthPeakBytes() const { return MemoryBytes() + 2 * capacity_ * sizeof(Slot); }
  // True when `more` insertions would grow the table (allocating twice its slots).
  bool WouldGrow(size_t more) const { return size_ + more > grow_at_; }
  // Empties the table, keeping its capacity (and frees its long keys).
  void Clear();
  // fn(key, hash, count, distinct) for every key, ordered by (Hash(key), key bytes): an order
  // that depends only on the keys, the same in every table. Sorts 8 bytes a key (plus as much
  // spare) beside the table.
  void ForEachInHashOrder(
      const std::function<void(std::string_view, uint64_t, uint64_t, uint64_t)>& fn) const;

  // fn(std::string_view key, uint64_t count, uint64_t distinct) for every key, in slot order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      const Slot& s = slots_[i];
      if (s.tag != 0) fn(KeyOf(s), s.count, s.distinct);
    }
  }

 private:
  static constexpr size_t kShortMax = 16;
  static constexpr uint32_t kLongTag = uint32_t{1} << 31;  // tag bit: key stored in the arena

  // True when a byte of `word` under `mask` is zero.
  static bool HasZeroByte(uint64_t word, uint64_t mask) {
    constexpr uint64_t kLow = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    return (((word - kLow) & ~word & kHigh) & mask) != 0;
  }
  // Two rounds of a folded 64x64->128 multiply (as in wyhash): every key bit reaches the low
  // bits that pick the slot. Zero padding needs no length: a short key has no NUL byte.
  static uint64_t HashShort(uint64_t w0, uint64_t w1) {
    const uint64_t h = Fold(w0 ^ 0xa0761d6478bd642fULL, w1 ^ 0xe7037ed1a0b428dbULL);
    return Fold(h ^ 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL);
  }
  static uint64_t Fold(uint64_t a, uint64_t b) {
    const unsigned __int128 m = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }

  struct Slot {
    uint32_t tag = 0;    // hash bits, kLongTag for arena keys; 0 = empty
    uint32_t stamp = 0;  // the last unit counted in `distinct`
    uint64_t w0 = 0;     // short key bytes 0-7, or a pointer to [uint16 len][bytes]
    uint64_t w1 = 0;     // short key bytes 8-15
    uint64_t count = 0;
    uint64_t distinct = 0;
  };

  static uint32_t TagOf(const Key& key) {
    const auto t = static_cast<uint32_t>(key.hash >> 33) | 1u;  // never 0
    return key.is_short ? t : (t | kLongTag);
  }
  static std::string_view KeyOf(const Slot& s) {
    if (s.tag & kLongTag) {
      // w0 holds the arena address of a long key.
      const char* p = reinterpret_cast<const char*>(s.w0);  // NOLINT(performance-no-int-to-ptr)
      uint16_t len;
      std::memcpy(&len, p, sizeof(len));
      return {p + sizeof(len), len};
    }
    const char* bytes = reinterpret_cast<const char*>(&s.w0);  // w0 and w1 are adjacent
    size_t len = 0;
    while (len < kShortMax && bytes[len] != 0) ++len;
    return {bytes, len};
  }

  // KeyOf(s) == key for an arena key, with 8-byte loads (the last one overlapping) instead of
  // a memcmp call.
  static bool LongKeyEquals(const Slot& s, std::string_view key) {
    const char* p = reinterpret_cast<const char*>(s.w0);  // NOLINT(performance-no-int-to-ptr)
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

  Slot& FindOrInsert(const Key& key) {
    const uint32_t tag = TagOf(key);
    if (key.is_short) {
      for (uint64_t i = key.hash & mask_;; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.tag == tag && s.w0 == key.w0 && s.w1 == key.w1) return s;
        if (s.tag == 0) return Insert(i, key, tag);
      }
    }
    for (uint64_t i = key.hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.tag == tag && LongKeyEquals(s, key.bytes)) return s;
      if (s.tag == 0) return Insert(i, key, tag);
    }
  }

  Slot& Insert(uint64_t index, const Key& key, uint32_t tag);
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
