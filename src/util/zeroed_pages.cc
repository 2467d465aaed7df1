#include "util/zeroed_pages.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace nightjar {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

ZeroedPages::ZeroedPages(size_t bytes) {
  if (bytes == 0) return;
  size_t size = bytes >= kHugePage ? (bytes + kHugePage - 1) / kHugePage * kHugePage : bytes;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::fprintf(stderr, "nightjar: out of memory mapping %zu bytes\n", size);
    std::abort();
  }
  if (size >= kHugePage) ::madvise(p, size, MADV_HUGEPAGE);  // advisory; fine if refused
  data_ = p;
  size_ = size;
}

ZeroedPages::ZeroedPages(ZeroedPages&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

ZeroedPages& ZeroedPages::operator=(ZeroedPages&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

ZeroedPages::~ZeroedPages() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace nightjar
