#ifndef NIGHTJAR_UTIL_PEAK_RSS_H_
#define NIGHTJAR_UTIL_PEAK_RSS_H_

#include <sys/resource.h>

#include <cstdint>

namespace nightjar {

// The process's peak resident set so far, in bytes (getrusage's ru_maxrss). Thread-safe.
inline uint64_t PeakRssBytes() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;
}

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_PEAK_RSS_H_
