#ifndef NIGHTJAR_COUNT_RADIX_SORT_H_
#define NIGHTJAR_COUNT_RADIX_SORT_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace nightjar {

// Radix sort of unsigned integer keys: SortedPairCounts' buffers of millions of pair keys.
namespace radix_internal {

constexpr int kMaxDigit = 11;  // 2048 buckets: the scatter's write streams stay in cache

// Least significant digit first over the low `bits` bits (the keys agree on any above). Digits
// of at most kMaxDigit bits, as few passes as that allows; a digit all keys share is skipped.
template <typename Key>
Key* LsdSort(Key* keys, Key* spare, size_t n, int bits) {
  if (n < 2 || bits <= 0) return keys;
  if (n <= 32) {
    std::sort(keys, keys + n);
    return keys;
  }
  const int passes = (bits + kMaxDigit - 1) / kMaxDigit;
  const int digit = (bits + passes - 1) / passes;
  const size_t buckets = size_t{1} << digit;
  const Key mask = static_cast<Key>(buckets - 1);
  std::array<size_t, (size_t{1} << kMaxDigit) * ((64 + kMaxDigit - 1) / kMaxDigit)> hist;
  std::fill_n(hist.begin(), static_cast<size_t>(passes) * buckets, 0);
  for (size_t i = 0; i < n; ++i) {
    const Key k = keys[i];
    for (int p = 0; p < passes; ++p) {
      ++hist[static_cast<size_t>(p) * buckets + ((k >> (p * digit)) & mask)];
    }
  }
  Key* from = keys;
  Key* to = spare;
  for (int p = 0; p < passes; ++p) {
    size_t* h = hist.data() + static_cast<size_t>(p) * buckets;
    const int shift = p * digit;
    if (h[(from[0] >> shift) & mask] == n) continue;  // one digit for all: nothing moves
    size_t sum = 0;
    for (size_t b = 0; b < buckets; ++b) {
      const size_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; ++i) {
      const Key k = from[i];
      to[h[(k >> shift) & mask]++] = k;
    }
    std::swap(from, to);
  }
  return from;
}

// Most significant digit first over bits [0, bits) of keys that agree above them.
template <typename Key>
Key* MsdSort(Key* keys, Key* spare, size_t n, int bits, size_t in_cache) {
  if (n <= in_cache || bits <= kMaxDigit) return LsdSort(keys, spare, n, bits);
  const int shift = bits - kMaxDigit;
  constexpr size_t kBuckets = size_t{1} << kMaxDigit;
  constexpr Key kMask = static_cast<Key>(kBuckets - 1);
  std::array<size_t, kBuckets + 1> start{};
  for (size_t i = 0; i < n; ++i) ++start[((keys[i] >> shift) & kMask) + 1];
  if (start[((keys[0] >> shift) & kMask) + 1] == n) {  // the top digit is shared
    return MsdSort(keys, spare, n, shift, in_cache);
  }
  for (size_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  std::array<size_t, kBuckets> next;
  std::copy_n(start.begin(), kBuckets, next.begin());
  for (size_t i = 0; i < n; ++i) {
    const Key k = keys[i];
    spare[next[(k >> shift) & kMask]++] = k;
  }
  for (size_t b = 0; b < kBuckets; ++b) {
    const size_t from = start[b], len = start[b + 1] - from;
    if (len < 2) continue;
    const Key* sorted = MsdSort(spare + from, keys + from, len, shift, in_cache);
    if (sorted != spare + from) std::memcpy(spare + from, sorted, len * sizeof(Key));
  }
  return spare;
}

}  // namespace radix_internal

// 32K keys: a bucket and its other buffer (256 KB or 512 KB) stay in a 1 MB L2 cache.
inline constexpr size_t kRadixInCache = size_t{1} << 15;

// Sorts keys[0, n), all below 2^bits, using spare[0, n) as the other buffer, and returns
// whichever of the two holds the result (the other is clobbered). Large inputs are first split by
// their top digit (most significant digit first: one pass over memory), and each bucket is then
// sorted where it lies, while it is in cache: by its next digit the same way if it is still
// large (the keys' top bits are skewed: frequent units have small ids), else least significant
// digit first. `in_cache` is the bucket size, in keys, below which a bucket is sorted LSD; tests
// lower it. Pure function of its input; thread-safe on distinct buffers.
template <typename Key>
Key* RadixSort(Key* keys, Key* spare, size_t n, int bits, size_t in_cache = kRadixInCache) {
  static_assert(std::is_unsigned_v<Key>);
  if (n < 2 || bits <= 0) return keys;
  return radix_internal::MsdSort(keys, spare, n, bits, std::max<size_t>(in_cache, 1));
}

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_RADIX_SORT_H_
