#ifndef NIGHTJAR_COUNT_STRING_HASH_H_
#define NIGHTJAR_COUNT_STRING_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {

// XXH3 over string bytes: fast on the short keys (terms, n-grams) that dominate counting.
struct StringHash {
  size_t operator()(std::string_view s) const noexcept {
    return static_cast<size_t>(XXH3_64bits(s.data(), s.size()));
  }
};

// Byte equality with an inline path for the short keys that dominate (libc memcmp is an
// out-of-line call, a large share of a lookup's cost for a 6-byte word).
struct StringEq {
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    if (a.size() != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    size_t n = a.size();
    if (n >= 8) {
      uint64_t x, y;
      for (; n >= 8; n -= 8, p += 8, q += 8) {
        __builtin_memcpy(&x, p, 8);
        __builtin_memcpy(&y, q, 8);
        if (x != y) return false;
      }
      if (n == 0) return true;
      // Compare the last 8 bytes, overlapping what was already compared.
      p -= 8 - n;
      q -= 8 - n;
      __builtin_memcpy(&x, p, 8);
      __builtin_memcpy(&y, q, 8);
      return x == y;
    }
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != q[i]) return false;
    }
    return true;
  }
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_STRING_HASH_H_
