#ifndef NIGHTJAR_CORPUS_BUFFER_POOL_H_
#define NIGHTJAR_CORPUS_BUFFER_POOL_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace nightjar {

// A byte buffer whose contents are uninitialized when handed out.
struct PooledBuffer {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
};

// Recycles batch buffers so that steady-state reading allocates nothing: a fresh multi-megabyte
// buffer costs page faults and (with make_unique) a memset on every batch. Thread-safe.
class BufferPool {
 public:
  explicit BufferPool(size_t max_pooled = 16) : max_pooled_(max_pooled) {}

  // A buffer of at least `capacity` bytes.
  PooledBuffer Take(size_t capacity) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < free_.size(); ++i) {
        if (free_[i].capacity >= capacity) {
          PooledBuffer b = std::move(free_[i]);
          free_[i] = std::move(free_.back());
          free_.pop_back();
          return b;
        }
      }
    }
    return PooledBuffer{std::make_unique_for_overwrite<char[]>(capacity), capacity};
  }

  // Returns a buffer for reuse; dropped when the pool is full.
  void Give(PooledBuffer b) {
    if (b.data == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < max_pooled_) free_.push_back(std::move(b));
  }

 private:
  const size_t max_pooled_;
  std::mutex mu_;
  std::vector<PooledBuffer> free_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_BUFFER_POOL_H_
