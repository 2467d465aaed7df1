#ifndef NIGHTJAR_UTIL_APPEND_ARRAY_H_
#define NIGHTJAR_UTIL_APPEND_ARRAY_H_

#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

#include "util/zeroed_pages.h"

namespace nightjar {

// A growable array of trivially copyable T that never moves. It reserves address space for
// `max_size` elements up front (ZeroedPages::Reserve) and the kernel backs each page when it is
// first written, so appending copies nothing and touches each page once, where a std::vector's
// doubling copies every element about once more and briefly holds 1.5 times the memory. Meant for
// buffers filled once with a generous bound (a pass's cached text). Move-only; not thread-safe.
template <typename T>
class AppendArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  AppendArray() = default;
  // Room for up to `max_size` elements; max_size() is 0 when the address space was refused.
  explicit AppendArray(size_t max_size)
      : pages_(ZeroedPages::Reserve(max_size * sizeof(T))),
        max_size_(pages_.data() == nullptr ? 0 : max_size) {}
  AppendArray(AppendArray&& other) noexcept { *this = std::move(other); }
  AppendArray& operator=(AppendArray&& other) noexcept {
    pages_ = std::move(other.pages_);
    size_ = std::exchange(other.size_, 0);
    max_size_ = std::exchange(other.max_size_, 0);
    return *this;
  }

  // Appends values[0, n). False, appending nothing, when that would pass max_size().
  [[nodiscard]] bool Append(const T* values, size_t n) {
    if (n > max_size_ - size_) return false;
    if (n > 0) std::memcpy(data() + size_, values, n * sizeof(T));
    size_ += n;
    return true;
  }
  [[nodiscard]] bool Append(std::span<const T> values) {
    return Append(values.data(), values.size());
  }
  [[nodiscard]] bool PushBack(const T& value) { return Append(&value, 1); }

  // Keeps the first n elements (n <= size()) and gives the pages past them back.
  void Truncate(size_t n) {
    size_ = n;
    pages_.Discard(n * sizeof(T));
  }

  T* data() { return static_cast<T*>(pages_.data()); }
  const T* data() const { return static_cast<const T*>(pages_.data()); }
  size_t size() const { return size_; }
  size_t max_size() const { return max_size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }

 private:
  ZeroedPages pages_;
  size_t size_ = 0;
  size_t max_size_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_APPEND_ARRAY_H_
