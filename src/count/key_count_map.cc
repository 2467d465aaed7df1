#include "count/key_count_map.h"

#include <algorithm>
#include <utility>

#include "count/scatter.h"
#include "util/parallel.h"

namespace nightjar {

template <typename Word>
BasicKeyCountMap<Word>& BasicKeyCountMap<Word>::operator=(BasicKeyCountMap&& other) noexcept {
  if (this != &other) {
    pages_ = std::move(other.pages_);
    slots_ = std::exchange(other.slots_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    mask_ = std::exchange(other.mask_, 0);
    shift_ = std::exchange(other.shift_, 64);
    size_ = std::exchange(other.size_, 0);
    grow_at_ = std::exchange(other.grow_at_, 0);
    zero_count_ = std::exchange(other.zero_count_, 0);
    overflow_ = std::exchange(other.overflow_, {});
    other.Allocate(kMinCapacity);
  }
  return *this;
}

template <typename Word>
void BasicKeyCountMap<Word>::Allocate(size_t capacity) {
  pages_ = ZeroedPages{capacity * sizeof(Slot)};
  slots_ = static_cast<Slot*>(pages_.data());
  capacity_ = capacity;
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) --shift_;
  grow_at_ = capacity / 10 * 7;  // load factor 0.7
}

template <typename Word>
void BasicKeyCountMap<Word>::Grow() {
  ZeroedPages old_pages = std::move(pages_);
  const Slot* old = slots_;
  const size_t old_capacity = capacity_;
  Allocate(capacity_ * 2);
  for (size_t j = 0; j < old_capacity; ++j) {
    if (old[j].key == 0) continue;
    size_t i = IndexOf(old[j].key);
    while (slots_[i].key != 0) i = (i + 1) & mask_;
    slots_[i] = old[j];
  }
}

template <typename Word>
void BasicKeyCountMap<Word>::AddBatch(const Word* keys, size_t n) {
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(&slots_[IndexOf(keys[i + kAhead])], 1, 3);
    Add(keys[i]);
  }
}

template <typename Word>
void BasicKeyCountMap<Word>::Merge(const BasicKeyCountMap& other) {
  if (other.zero_count_ > 0) Add(0, other.zero_count_);
  // Other's slots in scattered order (see ScatterStride), not slot order.
  const size_t stride = ScatterStride(other.capacity_);
  for (size_t i = 0, j = 0; i < other.capacity_; ++i, j = (j + stride) & other.mask_) {
    const Slot& s = other.slots_[j];
    if (s.key != 0) Add(s.key, s.count);
  }
  for (const auto& [key, n] : other.overflow_) Add(key, n);
}

template <typename Word>
BasicKeyCountMap<Word> BasicKeyCountMap<Word>::Sum(const std::vector<BasicKeyCountMap*>& maps,
                                                   int threads) {
  if (maps.empty()) return BasicKeyCountMap();
  // The largest map takes the others' counts in place.
  BasicKeyCountMap* const base = *std::max_element(
      maps.begin(), maps.end(), [](const auto* a, const auto* b) { return a->size_ < b->size_; });
  std::vector<BasicKeyCountMap*> others;
  for (auto* m : maps) {
    if (m != base) others.push_back(m);
  }
  // Room for the union, estimated from a sample of each other map's keys (threads of one pass
  // mostly see the same keys, so the sum of the sizes can be twice the union): growing now, on
  // one thread, costs less than long probes later. An estimate short of the union only
  // lengthens probes, or defers keys to the serial step below.
  double expected = static_cast<double>(base->size_);
  for (const auto* m : others) {
    const size_t step = std::max<size_t>(1, m->capacity_ / 4096);
    size_t seen = 0, fresh = 0;
    for (size_t j = 0; j < m->capacity_; j += step) {
      const Word key = m->slots_[j].key;
      if (key == 0) continue;
      ++seen;
      fresh += base->Get(key) == 0;
    }
    if (seen > 0) {
      expected +=
          static_cast<double>(m->size_) * static_cast<double>(fresh) / static_cast<double>(seen);
    }
  }
  while (static_cast<double>(base->grow_at_) < expected + 1) base->Grow();

  BasicKeyCountMap& out = *base;
  const size_t capacity = out.capacity_;
  // Shares of at least 64K slots: below that one thread is as quick.
  const size_t parts = std::clamp<size_t>(capacity >> 16, 1, std::max(1, threads));
  struct Part {
    std::vector<std::pair<Word, uint64_t>> deferred;
    size_t added = 0;
  };
  std::vector<Part> part(parts);
  auto fill = [&](size_t p) {
    const size_t lo = capacity * p / parts, hi = capacity * (p + 1) / parts;
    Part& mine = part[p];
    for (const auto* m : others) {
      for (size_t j = 0; j < m->capacity_; ++j) {
        const Slot& s = m->slots_[j];
        if (s.key == 0) continue;
        size_t i = out.IndexOf(s.key);
        if (i < lo || i >= hi) continue;
        for (;; ++i) {
          // A probe that would leave this share, and a count past the slot's Word, wait for
          // the serial step (the key may sit past the share, placed there before).
          if (i == hi) {
            mine.deferred.emplace_back(s.key, s.count);
            break;
          }
          Slot& d = out.slots_[i];
          if (d.key == s.key) {
            if (s.count <= kMaxCount - d.count) {
              d.count += s.count;
            } else {
              mine.deferred.emplace_back(s.key, s.count);
            }
            break;
          }
          if (d.key == 0) {
            d = s;
            ++mine.added;
            break;
          }
        }
      }
    }
  };
  ParallelFor(parts, fill);
  for (const Part& p : part) out.size_ += p.added;
  // A deferred key probes on into the next share (or wraps) as linear probing would place it.
  for (const Part& p : part) {
    for (const auto& [key, n] : p.deferred) out.Add(key, n);
  }
  for (auto* m : others) {
    if (m->zero_count_ > 0) out.Add(0, m->zero_count_);
    for (const auto& [key, n] : m->overflow_) out.Add(key, n);
    *m = BasicKeyCountMap();
  }
  BasicKeyCountMap sum = std::move(out);
  return sum;
}

template <typename Word>
bool BasicKeyCountMap<Word>::operator==(const BasicKeyCountMap& other) const {
  if (size_ != other.size_) return false;
  bool equal = true;
  ForEach([&](Word key, uint64_t n) { equal = equal && other.Get(key) == n; });
  return equal;
}

template <typename Word>
uint64_t BasicKeyCountMap<Word>::Get(Word key) const {
  if (key == 0) return zero_count_;
  for (size_t i = IndexOf(key);; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.key == key) return Total(s);
    if (s.key == 0) return 0;
  }
}

template class BasicKeyCountMap<uint64_t>;
template class BasicKeyCountMap<uint32_t>;

}  // namespace nightjar
