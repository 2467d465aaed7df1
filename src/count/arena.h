#ifndef NIGHTJAR_COUNT_ARENA_H_
#define NIGHTJAR_COUNT_ARENA_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace nightjar {

// Bump allocator for immutable bytes; everything is freed with the arena. Not thread-safe.
class StringArena {
 public:
  StringArena() = default;
  // A moved-from arena is empty and usable; views into the moved blocks stay valid.
  StringArena(StringArena&& other) noexcept { *this = std::move(other); }
  StringArena& operator=(StringArena&& other) noexcept {
    if (this != &other) {
      blocks_ = std::move(other.blocks_);
      other.blocks_.clear();
      cursor_ = std::exchange(other.cursor_, nullptr);
      left_ = std::exchange(other.left_, 0);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // `n` contiguous bytes, uninitialized, valid for the arena's lifetime.
  char* Allocate(size_t n) {
    if (n > left_) Grow(n);
    char* dst = cursor_;
    cursor_ += n;
    left_ -= n;
    return dst;
  }
  // Bytes of the blocks held.
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kBlock = 1 << 20;
  void Grow(size_t need) {
    size_t size = need > kBlock ? need : kBlock;
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    cursor_ = blocks_.back().get();
    left_ = size;
    bytes_ += size;
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t left_ = 0;
  size_t bytes_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_ARENA_H_
