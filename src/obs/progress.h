#ifndef NIGHTJAR_OBS_PROGRESS_H_
#define NIGHTJAR_OBS_PROGRESS_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "util/peak_rss.h"  // PeakRssBytes, for progress lines and reports

namespace nightjar {

// A reading of a long run's progress.
struct ProgressSample {
  uint64_t documents = 0;
  uint64_t bytes = 0;        // bytes processed (for MB/s)
  uint64_t input_read = 0;   // input bytes consumed (for ETA)
  uint64_t input_total = 0;  // total input bytes, 0 when unknown
};

// Prints "label: N docs, X MB, R docs/s, S MB/s, ETA m:ss" to stderr every `interval` from a
// background thread until destroyed (then prints a final line). On a terminal the line is
// rewritten in place. `sample` is called from that thread and must be thread-safe.
class ProgressReporter {
 public:
  ProgressReporter(std::string label, std::function<ProgressSample()> sample,
                   double interval_seconds = 1.0);
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;
  ~ProgressReporter();

  // Formats one progress line; exposed for tests.
  static std::string Format(const std::string& label, const ProgressSample& s, double elapsed);

 private:
  void Run();
  std::string label_;
  std::function<ProgressSample()> sample_;
  double interval_;
  bool tty_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_OBS_PROGRESS_H_
