#ifndef NIGHTJAR_UTIL_CLOCK_H_
#define NIGHTJAR_UTIL_CLOCK_H_

#include "absl/time/time.h"

namespace nightjar {

// Source of wall time. Thread-safe. Tests inject a fake one.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock; never null, never freed.
  static const Clock* Real();
};

// A clock that only moves when told to. Thread-compatible.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time t) { now_ = t; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_CLOCK_H_
