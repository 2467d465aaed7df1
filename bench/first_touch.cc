// First touch of fresh memory against memory the process freed moments ago, side by side.
//
// Usage: first_touch [MB=256] [REPS=3] [PAUSE_S=3]
// Each rep idles PAUSE_S seconds, maps MB of anonymous memory (huge pages advised, as
// ZeroedPages does), writes every byte and unmaps it, then at once does the same again. The
// first write gets pages the machine has not handed out for a while (on a VM whose host
// reclaims freed guest memory, as this one does with virtio-balloon free page reporting about
// 2 s after a free, that includes the host's fault); the second reuses the pages just freed.
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {

double TouchMs(size_t bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  ::madvise(p, bytes, MADV_HUGEPAGE);
  std::memset(p, 1, bytes);
  ::munmap(p, bytes);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const double pause_s = argc > 3 ? std::atof(argv[3]) : 3.0;
  const size_t bytes = mb << 20;
  for (int r = 0; r < reps; ++r) {
    std::this_thread::sleep_for(std::chrono::duration<double>(pause_s));
    const double fresh = TouchMs(bytes);
    const double reused = TouchMs(bytes);
    std::printf(
        "%zu MB: after %.0f s idle %.1f ms (%.2f ms/MB), reused at once %.1f ms (%.2f ms/MB)\n", mb,
        pause_s, fresh, fresh / static_cast<double>(mb), reused, reused / static_cast<double>(mb));
  }
  return 0;
}
