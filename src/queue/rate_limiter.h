#ifndef NIGHTJAR_QUEUE_RATE_LIMITER_H_
#define NIGHTJAR_QUEUE_RATE_LIMITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/redis_client.h"
#include "util/clock.h"

namespace nightjar {

// One upstream's limit. Every field has a default.
struct RateLimitOptions {
  std::string name = "default";  // the upstream: every limiter of this name shares one limit
  double rate = 10;              // calls per second, until `SetRate` stores another in Redis
  int burst = 1;                 // calls that may go at once after an idle spell
  double decrease = 0.5;         // on a throttle (429/503) the shared rate is multiplied by this...
  double floor = 0.05;           // ...but never below this share of the configured rate
  double increase = 0.02;        // each granted call then raises the share by this, back up to 1
  // Time for the limit's arithmetic. Null = the Redis server's clock, one clock for every host
  // (production); tests pass a fake one.
  const Clock* clock = nullptr;
};

// The limiter's state in Redis, for status output and metrics.
struct RateLimitStats {
  double rate = 0;  // the configured calls per second
  int burst = 0;
  double share = 1;        // the AIMD share of it in force (1 = the full rate)
  uint64_t granted = 0;    // permits handed out
  uint64_t waits = 0;      // asks told to wait (the limiter throttling callers)
  uint64_t throttles = 0;  // upstream 429/503 answers reported (violations of its limit)
};

// A rate limit shared by every worker on every host: GCRA (the generic cell rate algorithm) in
// one Lua script over the keys `nightjar:<ns>:limit:<name>:{tat,config,share,stats}`. The rate
// is read from Redis on every ask, so `SetRate` changes it for all workers at once, with no
// restart. A throttle from the upstream lowers the shared rate multiplicatively and holds every
// caller for the upstream's Retry-After; granted calls raise it back additively (AIMD), never
// above the configured rate.
//
// Not thread-safe (it uses the caller's connection); give each thread its own limiter and
// connection: they still share one limit. Errors are the connection's (Unavailable when lost).
class RateLimiter {
 public:
  // `conn` must outlive the limiter.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RateLimiter>> Open(RedisConnection* conn,
                                                                         RateLimitOptions options);

  // Asks for one call: zero when it may go now (the permit is taken), else how long to wait
  // before asking again (nothing is taken).
  [[nodiscard]] absl::StatusOr<absl::Duration> TryAcquire();
  // Asks until a permit is granted, calling `sleep` with each wait; returns the time waited.
  [[nodiscard]] absl::StatusOr<absl::Duration> Acquire(
      const std::function<void(absl::Duration)>& sleep);
  // The upstream answered 429/503: every caller waits `retry_after` (at least), and the shared
  // rate drops by `decrease`.
  [[nodiscard]] absl::Status Throttled(absl::Duration retry_after);
  // Stores a new configured rate (and burst) for every limiter of this name.
  [[nodiscard]] absl::Status SetRate(double rate, int burst);
  [[nodiscard]] absl::StatusOr<RateLimitStats> Stats();

 private:
  RateLimiter(RedisConnection* conn, RateLimitOptions options);
  std::string NowArgument() const;  // microseconds, or "" for the server's clock
  std::string Key(std::string_view part) const;

  RedisConnection* conn_;
  const RateLimitOptions options_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_QUEUE_RATE_LIMITER_H_
