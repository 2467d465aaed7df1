#ifndef NIGHTJAR_COUNT_SCATTER_H_
#define NIGHTJAR_COUNT_SCATTER_H_

#include <cstddef>
#include <cstdint>

namespace nightjar {

// An odd stride through a power-of-two table of `capacity` slots, about capacity / phi: the
// visits i * stride mod capacity (i < capacity) reach every slot once, and consecutive ones land
// far apart. Merging one hash table into another in slot order (hash order) would fill one
// region of the target densely long before it is due to grow, and linear probe runs there grow
// without bound: a merge of two 2M-key maps took seconds. Visiting the source in this order
// spreads the inserts over the whole target.
inline size_t ScatterStride(size_t capacity) {
  if (capacity <= 2) return 1;
  int bits = 0;
  while ((size_t{1} << bits) < capacity) ++bits;
  return static_cast<size_t>(0x9E3779B97F4A7C15ULL >> (64 - bits)) | 1;
}

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_SCATTER_H_
