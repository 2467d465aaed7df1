#ifndef NIGHTJAR_COUNT_STRING_HASH_H_
#define NIGHTJAR_COUNT_STRING_HASH_H_

#include <cstddef>
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

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_STRING_HASH_H_
