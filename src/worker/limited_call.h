#ifndef NIGHTJAR_WORKER_LIMITED_CALL_H_
#define NIGHTJAR_WORKER_LIMITED_CALL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "queue/rate_limiter.h"
#include "worker/http_client.h"

namespace nightjar {

// How a call to a rate-limited upstream is retried. Every field has a default.
struct CallPolicy {
  int attempts = 5;                                       // tries before the call fails
  absl::Duration backoff_base = absl::Milliseconds(200);  // the first backoff's upper bound
  absl::Duration backoff_cap = absl::Seconds(10);         // no backoff is longer
};

// What a call came to: a 2xx answer, or why it failed for good.
struct CallResult {
  std::optional<HttpResponse> response;  // set on success (a 2xx answer)
  std::string failure;                   // set otherwise: the last reason
  int last_status = 0;                   // the last answer's HTTP status (0: none came)
  int attempts = 0;                      // requests sent
};

// Counts over a caller's life, for the worker's stats.
struct CallCounters {
  uint64_t requests = 0;       // requests sent, retries included
  uint64_t throttled = 0;      // 429/503 answers
  uint64_t server_errors = 0;  // other 5xx answers and requests that got no answer
};

// Calls one upstream under the shared limiter of its rate-limit key: every request first takes
// a permit; a 429 or 503 holds every worker for the answer's Retry-After / x-ratelimit-reset-*
// (or a jittered backoff when it names none) and lowers the shared rate; other 5xx answers and
// requests that got no answer back off exponentially with full jitter over the upper half;
// another 4xx fails at once (retrying will not help). Not thread-safe: one per slot.
class LimitedCaller {
 public:
  // Takes ownership of both.
  LimitedCaller(std::unique_ptr<RateLimiter> limiter, std::unique_ptr<HttpClient> client,
                CallPolicy policy);

  // An error Status only when the limiter's Redis fails; an upstream's failure is a result.
  [[nodiscard]] absl::StatusOr<CallResult> Post(const std::string& path, const std::string& body,
                                                const HttpHeaders& headers);
  const CallCounters& counters() const { return counters_; }

 private:
  absl::Duration Backoff(int attempt);

  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<HttpClient> client_;
  const CallPolicy policy_;
  CallCounters counters_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_LIMITED_CALL_H_
