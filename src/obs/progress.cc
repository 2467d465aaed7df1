#include "obs/progress.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace nightjar {

ProgressReporter::ProgressReporter(std::string label, std::function<ProgressSample()> sample,
                                   double interval_seconds)
    : label_(std::move(label)),
      sample_(std::move(sample)),
      interval_(interval_seconds),
      tty_(::isatty(STDERR_FILENO) == 1),
      thread_([this] { Run(); }) {}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::string ProgressReporter::Format(const std::string& label, const ProgressSample& s,
                                     double elapsed) {
  double secs = elapsed > 1e-9 ? elapsed : 1e-9;
  double mb = static_cast<double>(s.bytes) / 1e6;
  std::string line =
      fmt::format("{}: {} docs, {:.1f} MB, {:.0f} docs/s, {:.1f} MB/s", label, s.documents, mb,
                  static_cast<double>(s.documents) / secs, mb / secs);
  if (s.input_total > 0 && s.input_read > 0 && s.input_read <= s.input_total) {
    double frac = static_cast<double>(s.input_read) / static_cast<double>(s.input_total);
    auto eta = static_cast<int64_t>(elapsed * (1.0 - frac) / frac);
    line += fmt::format(", {:.0f}%, ETA {}:{:02}", frac * 100.0, eta / 60, eta % 60);
  }
  return line;
}

void ProgressReporter::Run() {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::duration<double>(interval_), [&] { return stop_; })) {
    std::string line = Format(label_, sample_(), elapsed());
    std::fprintf(stderr, tty_ ? "\r%s\033[K" : "%s\n", line.c_str());
    std::fflush(stderr);
  }
  std::string line = Format(label_, sample_(), elapsed());
  std::fprintf(stderr, tty_ ? "\r%s\033[K\n" : "%s\n", line.c_str());
}

}  // namespace nightjar
