#include "count/sorted_pair_counts.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <utility>

#include "count/radix_sort.h"

namespace nightjar {
namespace {

// `bytes` of address space whose pages are backed only as they are written, or committed memory
// when the kernel refuses the reservation.
ZeroedPages Room(size_t bytes) {
  ZeroedPages pages = ZeroedPages::Reserve(bytes);
  return pages.data() != nullptr ? std::move(pages) : ZeroedPages(bytes);
}

}  // namespace

SortedPairCounts::SortedPairCounts(const Options& options) : options_(options) {
  options_.min_buffer = std::max<size_t>(options_.min_buffer, 1);
  options_.count_limit = std::max<uint32_t>(options_.count_limit, 1);
  column_bits_ = options_.columns > 1 ? std::bit_width(options_.columns - 1) : 0;
  key_bits_ = (options_.rows > 1 ? std::bit_width(options_.rows - 1) : 0) + column_bits_;
  assert(key_bits_ <= 64);
  wide_ = key_bits_ > 32;
}

SortedPairCounts::SortedPairCounts(SortedPairCounts&& other) noexcept { *this = std::move(other); }

SortedPairCounts& SortedPairCounts::operator=(SortedPairCounts&& other) noexcept {
  if (this != &other) {
    options_ = other.options_;
    column_bits_ = other.column_bits_;
    key_bits_ = other.key_bits_;
    wide_ = other.wide_;
    buffer_ = std::move(other.buffer_);
    buffered_ = std::exchange(other.buffered_, 0);
    buffer_capacity_ = std::exchange(other.buffer_capacity_, 0);
    keys_ = std::move(other.keys_);
    counts_ = std::move(other.counts_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    overflow_ = std::exchange(other.overflow_, {});
  }
  return *this;
}

void SortedPairCounts::NewBuffer() {
  const size_t width = wide_ ? sizeof(uint64_t) : sizeof(uint32_t);
  buffer_capacity_ = std::max(options_.min_buffer, size_);
  // Pages are backed as keys are written, so a small count touches little.
  buffer_ = Room(buffer_capacity_ * width);
  buffered_ = 0;
}

void SortedPairCounts::Flush() {
  if (buffered_ > 0) {
    if (wide_) {
      FlushAs<uint64_t>();
    } else {
      FlushAs<uint32_t>();
    }
  }
  // The next buffer holds at least as many keys as there are counts, so that merging the counts
  // (linear in them) is paid for by the keys that filled it.
  if (buffer_.data() == nullptr || buffer_capacity_ < std::max(options_.min_buffer, size_)) {
    NewBuffer();
  }
}

void SortedPairCounts::AddSorted(const std::vector<Counted>& run) {
  if (run.empty()) return;
  if (wide_) {
    AddSortedAs<uint64_t>(run);
  } else {
    AddSortedAs<uint32_t>(run);
  }
}

template <typename Key>
void SortedPairCounts::AddSortedAs(const std::vector<Counted>& run) {
  const size_t n = run.size();
  ZeroedPages keys(n * sizeof(Key));
  ZeroedPages counts(n * sizeof(uint32_t));
  auto* k = static_cast<Key*>(keys.data());
  auto* c = static_cast<uint32_t*>(counts.data());
  for (size_t i = 0; i < n; ++i) {
    const uint64_t key = run[i].row << column_bits_ | run[i].column;
    k[i] = static_cast<Key>(key);
    c[i] = static_cast<uint32_t>(std::min<uint64_t>(run[i].count, options_.count_limit));
    if (run[i].count > options_.count_limit) {
      overflow_[static_cast<Key>(key)] += run[i].count - options_.count_limit;
    }
  }
  if (size_ == 0) {  // the run is the counts
    keys_ = std::move(keys);
    counts_ = std::move(counts);
    size_ = n;
    capacity_ = n;
    return;
  }
  MergeRun<Key>(k, c, n);
}

template <typename Key>
void SortedPairCounts::FlushAs() {
  const size_t n = std::exchange(buffered_, 0);
  ZeroedPages spare(n * sizeof(Key));
  ZeroedPages mem[2] = {std::move(buffer_), std::move(spare)};
  buffer_capacity_ = 0;
  auto* a = static_cast<Key*>(mem[0].data());
  auto* b = static_cast<Key*>(mem[1].data());
  Key* sorted = RadixSort(a, b, n, key_bits_);
  const int in = sorted == a ? 0 : 1;
  // Run-length code in place; the counts go to the other buffer (at least 4 bytes a key).
  auto* counts = static_cast<uint32_t*>(mem[1 - in].data());
  size_t runs = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && sorted[j] == sorted[i]) ++j;
    const size_t count = j - i;
    sorted[runs] = sorted[i];
    counts[runs] = static_cast<uint32_t>(std::min<size_t>(count, options_.count_limit));
    if (count > options_.count_limit) overflow_[sorted[i]] += count - options_.count_limit;
    ++runs;
    i = j;
  }
  if (size_ == 0) {  // the first run is the counts: no copy
    keys_ = std::move(mem[in]);
    counts_ = std::move(mem[1 - in]);
    keys_.Discard(runs * sizeof(Key));
    counts_.Discard(runs * sizeof(uint32_t));
    size_ = runs;
    capacity_ = n;
    return;
  }
  MergeRun<Key>(sorted, counts, runs);
}

template <typename Key>
void SortedPairCounts::MergeRun(Key* run_keys, uint32_t* run_counts, size_t n) {
  const uint64_t limit = options_.count_limit;
  auto add = [&](uint32_t a, uint32_t b, Key key) {
    const uint64_t sum = uint64_t{a} + b;
    if (sum <= limit) return static_cast<uint32_t>(sum);
    overflow_[key] += sum - limit;
    return static_cast<uint32_t>(limit);
  };
  auto* keys = static_cast<Key*>(keys_.data());
  auto* counts = static_cast<uint32_t*>(counts_.data());
  if (size_ + n <= capacity_) {
    // Backwards, in place: the write position never passes an unread entry.
    size_t i = size_, j = n, w = size_ + n;
    while (j > 0) {
      --w;
      if (i > 0 && keys[i - 1] > run_keys[j - 1]) {
        --i;
        keys[w] = keys[i];
        counts[w] = counts[i];
      } else if (i > 0 && keys[i - 1] == run_keys[j - 1]) {
        --i;
        --j;
        keys[w] = keys[i];
        counts[w] = add(counts[i], run_counts[j], keys[i]);
      } else {
        --j;
        keys[w] = run_keys[j];
        counts[w] = run_counts[j];
      }
    }
    const size_t tail = size_ + n - w;
    std::memmove(keys + i, keys + w, tail * sizeof(Key));
    std::memmove(counts + i, counts + w, tail * sizeof(uint32_t));
    size_ = i + tail;
    return;
  }
  // Into new arrays with room to spare (address space only), so that later runs merge in place.
  const size_t capacity = 2 * (size_ + n);
  ZeroedPages new_keys = Room(capacity * sizeof(Key));
  ZeroedPages new_counts = Room(capacity * sizeof(uint32_t));
  auto* out_keys = static_cast<Key*>(new_keys.data());
  auto* out_counts = static_cast<uint32_t*>(new_counts.data());
  size_t i = 0, j = 0, w = 0;
  while (i < size_ || j < n) {
    if (j == n || (i < size_ && keys[i] < run_keys[j])) {
      out_keys[w] = keys[i];
      out_counts[w++] = counts[i++];
    } else if (i == size_ || run_keys[j] < keys[i]) {
      out_keys[w] = run_keys[j];
      out_counts[w++] = run_counts[j++];
    } else {
      out_keys[w] = keys[i];
      out_counts[w++] = add(counts[i], run_counts[j], keys[i]);
      ++i;
      ++j;
    }
  }
  keys_ = std::move(new_keys);
  counts_ = std::move(new_counts);
  size_ = w;
  capacity_ = capacity;
}

SortedPairCounts SortedPairCounts::Sum(const std::vector<SortedPairCounts*>& parts) {
  if (parts.empty()) return SortedPairCounts();
  for (auto* p : parts) p->Flush();
  SortedPairCounts* const base = *std::max_element(
      parts.begin(), parts.end(), [](const auto* a, const auto* b) { return a->size_ < b->size_; });
  for (auto* p : parts) {
    if (p == base) continue;
    assert(p->options_.rows == base->options_.rows &&
           p->options_.columns == base->options_.columns);
    if (p->size_ > 0) {
      if (base->wide_) {
        base->MergeRun(static_cast<uint64_t*>(p->keys_.data()),
                       static_cast<uint32_t*>(p->counts_.data()), p->size_);
      } else {
        base->MergeRun(static_cast<uint32_t*>(p->keys_.data()),
                       static_cast<uint32_t*>(p->counts_.data()), p->size_);
      }
    }
    for (const auto& [key, n] : p->overflow_) base->overflow_[key] += n;
    *p = SortedPairCounts(p->options_);
  }
  return std::move(*base);  // leaves *base empty
}

void SortedPairCounts::Merge(SortedPairCounts&& other) {
  Flush();
  other.Flush();
  if (other.size_ == 0) {
    other = SortedPairCounts(other.options_);
    return;
  }
  if (size_ == 0) {
    *this = std::move(other);
    return;
  }
  std::vector<SortedPairCounts*> parts = {this, &other};
  *this = Sum(parts);
}

bool SortedPairCounts::operator==(const SortedPairCounts& other) const {
  if (size_ != other.size_) return false;
  for (size_t i = 0; i < size_; ++i) {
    const uint64_t key = KeyAt(i);
    if (key != other.KeyAt(i) || CountAt(i, key) != other.CountAt(i, key)) return false;
  }
  return size_ == 0 || column_bits_ == other.column_bits_;
}

uint64_t SortedPairCounts::Get(uint64_t row, uint32_t column) const {
  const uint64_t key = row << column_bits_ | column;
  size_t lo = 0, hi = size_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (KeyAt(mid) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < size_ && KeyAt(lo) == key ? CountAt(lo, key) : 0;
}

}  // namespace nightjar
