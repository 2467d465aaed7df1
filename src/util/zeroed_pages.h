#ifndef NIGHTJAR_UTIL_ZEROED_PAGES_H_
#define NIGHTJAR_UTIL_ZEROED_PAGES_H_

#include <cstddef>

namespace nightjar {

// An anonymous memory mapping, zero-filled by the kernel, released on destruction. Regions of
// 2 MiB and more are advised to use transparent huge pages: for large hash tables probed at
// random this removes most TLB misses and page faults. Move-only; not thread-safe.
class ZeroedPages {
 public:
  ZeroedPages() = default;
  // Maps at least `bytes` bytes. Aborts the process when the kernel refuses (out of memory),
  // as operator new would.
  explicit ZeroedPages(size_t bytes);
  // Reserves `bytes` of address space without committing memory for it (MAP_NORESERVE): for a
  // buffer with a generous upper bound that is filled from the front, so that only the pages
  // written are ever backed. Empty (data() == nullptr) when the kernel refuses, instead of
  // aborting: the caller decides what to do without the room.
  static ZeroedPages Reserve(size_t bytes);
  ZeroedPages(ZeroedPages&& other) noexcept;
  ZeroedPages& operator=(ZeroedPages&& other) noexcept;
  ZeroedPages(const ZeroedPages&) = delete;
  ZeroedPages& operator=(const ZeroedPages&) = delete;
  ~ZeroedPages();

  void* data() const { return data_; }
  size_t size() const { return size_; }

  // Gives the whole pages from byte `offset` to the end back to the kernel; they read as zeros
  // again and are backed again when next written. The mapping stays.
  void Discard(size_t offset);

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_ZEROED_PAGES_H_
