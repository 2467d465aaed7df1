#include "util/zeroed_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace nightjar {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;

size_t RoundedSize(size_t bytes) {
  return bytes >= kHugePage ? (bytes + kHugePage - 1) / kHugePage * kHugePage : bytes;
}

void* Map(size_t size, int extra_flags) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags,
                   -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (size >= kHugePage) ::madvise(p, size, MADV_HUGEPAGE);  // advisory; fine if refused
  return p;
}

}  // namespace

ZeroedPages::ZeroedPages(size_t bytes) {
  if (bytes == 0) return;
  const size_t size = RoundedSize(bytes);
  void* p = Map(size, 0);
  if (p == nullptr) {
    std::fprintf(stderr, "nightjar: out of memory mapping %zu bytes\n", size);
    std::abort();
  }
  data_ = p;
  size_ = size;
}

ZeroedPages ZeroedPages::Reserve(size_t bytes) {
  ZeroedPages out;
  if (bytes == 0) return out;
  const size_t size = RoundedSize(bytes);
  void* p = Map(size, MAP_NORESERVE);
  if (p == nullptr) return out;
  out.data_ = p;
  out.size_ = size;
  return out;
}

void ZeroedPages::Discard(size_t offset) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t from = (offset + page - 1) / page * page;
  if (data_ == nullptr || from >= size_) return;
  ::madvise(static_cast<char*>(data_) + from, size_ - from, MADV_DONTNEED);
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
