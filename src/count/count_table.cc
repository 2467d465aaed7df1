#include "count/count_table.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "count/radix_sort.h"
#include "count/scatter.h"

namespace nightjar {
namespace {

constexpr double kMaxLoad = 0.7;

size_t CapacityFor(size_t expected) {
  size_t cap = 16;
  while (static_cast<double>(cap) * kMaxLoad < static_cast<double>(expected)) cap *= 2;
  return cap;
}

}  // namespace

CountTable::CountTable(size_t expected) { Allocate(CapacityFor(expected)); }

CountTable& CountTable::operator=(CountTable&& other) noexcept {
  if (this != &other) {
    pages_ = std::move(other.pages_);
    slots_ = std::exchange(other.slots_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
    grow_at_ = std::exchange(other.grow_at_, 0);
    arena_ = std::move(other.arena_);
    other.Allocate(16);
  }
  return *this;
}

void CountTable::Allocate(size_t capacity) {
  static_assert(std::is_trivially_copyable_v<Slot>);
  pages_ = ZeroedPages(capacity * sizeof(Slot));
  slots_ = static_cast<Slot*>(pages_.data());
  capacity_ = capacity;
  mask_ = capacity - 1;
  grow_at_ = static_cast<size_t>(static_cast<double>(capacity) * kMaxLoad);
}

uint64_t CountTable::StoreLong(std::string_view key) {
  // Keys are tokens and n-grams, far below 64 KiB; a longer key is cut (none is produced).
  auto len =
      static_cast<uint16_t>(std::min<size_t>(key.size(), std::numeric_limits<uint16_t>::max()));
  char* p = arena_.Allocate(sizeof(len) + len);
  std::memcpy(p, &len, sizeof(len));
  std::memcpy(p + sizeof(len), key.data(), len);
  return reinterpret_cast<uint64_t>(p);
}

CountTable::Slot& CountTable::Insert(uint64_t index, const Key& key, uint32_t tag) {
  if (size_ + 1 > grow_at_) {
    Grow();
    for (index = key.hash & mask_; slots_[index].tag != 0; index = (index + 1) & mask_) {
    }
  }
  Slot& s = slots_[index];
  s.tag = tag;
  if (key.is_short) {
    s.w0 = key.w0;
    s.w1 = key.w1;
  } else {
    s.w0 = StoreLong(key.bytes);
  }
  ++size_;
  return s;
}

void CountTable::Grow() {
  ZeroedPages old_pages = std::move(pages_);
  const Slot* old = slots_;
  const size_t old_capacity = capacity_;
  Allocate(capacity_ * 2);
  // Slots keep only 32 bits of their hash, so each key is hashed again to find its place.
  for (size_t j = 0; j < old_capacity; ++j) {
    const Slot& s = old[j];
    if (s.tag == 0) continue;
    uint64_t i = MakeKey(KeyOf(s), (s.tag & kLongTag) ? 0 : kShortMax).hash & mask_;
    while (slots_[i].tag != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void CountTable::Clear() {
  Allocate(capacity_);  // fresh zero pages: the old ones are returned, none touched yet
  size_ = 0;
  arena_ = StringArena();
}

void CountTable::ForEachInHashOrder(
    const std::function<void(std::string_view, uint64_t, uint64_t, uint64_t)>& fn) const {
  // Sort (hash with its low bits replaced by the slot index): by the hash's top bits, then
  // put the rare runs sharing those bits in (hash, bytes) order.
  int index_bits = 0;
  while ((size_t{1} << index_bits) < capacity_) ++index_bits;
  const uint64_t low = (uint64_t{1} << index_bits) - 1;
  std::vector<uint64_t> keys;
  keys.reserve(size_);
  auto hash_of = [&](const Slot& s) {
    return MakeKey(KeyOf(s), (s.tag & kLongTag) ? 0 : kShortMax).hash;
  };
  for (size_t i = 0; i < capacity_; ++i) {
    if (slots_[i].tag != 0) keys.push_back((hash_of(slots_[i]) & ~low) | i);
  }
  std::vector<uint64_t> spare(keys.size());
  const uint64_t* sorted = RadixSort(keys.data(), spare.data(), keys.size(), 64);
  std::vector<uint64_t> tie;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && (sorted[j] & ~low) == (sorted[i] & ~low)) ++j;
    tie.assign(sorted + i, sorted + j);
    if (tie.size() > 1) {
      std::sort(tie.begin(), tie.end(), [&](uint64_t a, uint64_t b) {
        const Slot& x = slots_[a & low];
        const Slot& y = slots_[b & low];
        const uint64_t hx = hash_of(x), hy = hash_of(y);
        return hx != hy ? hx < hy : KeyOf(x) < KeyOf(y);
      });
    }
    for (uint64_t k : tie) {
      const Slot& s = slots_[k & low];
      fn(KeyOf(s), hash_of(s), s.count, s.distinct);
    }
    i = j;
  }
}

void CountTable::ResetStamps() {
  for (size_t j = 0; j < capacity_; ++j) slots_[j].stamp = 0;
}

void CountTable::Merge(const CountTable& other) {
  // Other's slots in scattered order (see ScatterStride), not slot order.
  const size_t stride = ScatterStride(other.capacity_);
  for (size_t i = 0, j = 0; i < other.capacity_; ++i, j = (j + stride) & other.mask_) {
    const Slot& s = other.slots_[j];
    if (s.tag == 0) continue;
    Add(MakeKey(KeyOf(s), (s.tag & kLongTag) ? 0 : kShortMax), s.count, s.distinct);
  }
}

bool CountTable::operator==(const CountTable& other) const {
  if (size_ != other.size_) return false;
  bool equal = true;
  ForEach([&](std::string_view key, uint64_t count, uint64_t distinct) {
    uint64_t c = 0, d = 0;
    equal = equal && other.Get(key, &c, &d) && c == count && d == distinct;
  });
  return equal;
}

bool CountTable::Get(std::string_view key, uint64_t* count, uint64_t* distinct) const {
  *count = *distinct = 0;
  if (key.empty()) return false;
  return Get(MakeKey(key), count, distinct);
}

bool CountTable::Get(const Key& k, uint64_t* count, uint64_t* distinct) const {
  *count = *distinct = 0;
  const uint32_t tag = TagOf(k);
  for (uint64_t i = k.hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.tag == 0) return false;
    if (s.tag == tag && (k.is_short ? (s.w0 == k.w0 && s.w1 == k.w1) : LongKeyEquals(s, k.bytes))) {
      *count = s.count;
      *distinct = s.distinct;
      return true;
    }
  }
}

}  // namespace nightjar
