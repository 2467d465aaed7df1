#include "obs/progress.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(ProgressTest, FormatsRatesAndEta) {
  ProgressSample s{1000, 50'000'000, 25, 100};
  EXPECT_EQ(ProgressReporter::Format("refresh", s, 10.0),
            "refresh: 1000 docs, 50.0 MB, 100 docs/s, 5.0 MB/s, 25%, ETA 0:30");
}

TEST(ProgressTest, NoEtaWhenTotalUnknown) {
  ProgressSample s{10, 1'000'000, 5, 0};
  EXPECT_EQ(ProgressReporter::Format("x", s, 2.0), "x: 10 docs, 1.0 MB, 5 docs/s, 0.5 MB/s");
}

// The resident set of this process now, in bytes (/proc/self/statm).
uint64_t CurrentRssBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;  // NOLINT(google-runtime-int): fscanf's type
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

TEST(ProgressTest, PeakRssCoversMemoryTouchedSinceTheStart) {
  constexpr size_t kBytes = size_t{64} << 20;
  // In a child, so that this test's peak does not depend on what ran before it.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const uint64_t start = CurrentRssBytes();
    auto* p = static_cast<volatile char*>(std::malloc(kBytes));
    if (p == nullptr || start == 0) ::_exit(2);
    for (size_t i = 0; i < kBytes; i += 4096) p[i] = 1;
    const uint64_t peak = PeakRssBytes();
    // The kernel's RSS counters are per-CPU sums read approximately (off by
    // up to a batch of pages per CPU), so allow a quarter of the touched bytes.
    ::_exit(peak >= start + kBytes / 4 * 3 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the peak is below the start plus 48 MiB";
}

}  // namespace
}  // namespace nightjar
