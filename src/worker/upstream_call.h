#ifndef NIGHTJAR_WORKER_UPSTREAM_CALL_H_
#define NIGHTJAR_WORKER_UPSTREAM_CALL_H_

#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "queue/rate_limiter.h"
#include "worker/task_types.h"

namespace httplib {
class Client;
}

namespace nightjar {

// The `upstream` task type: one HTTP call per document to a rate-limited upstream, under the
// shared limiter of its rate-limit key: POST {"job","document"} to `upstream.url` (a worker
// --set). A 2xx answer commits a result (like `record`); 429 and 503 hold every worker for the
// answer's Retry-After / x-ratelimit-reset-* (or an exponential backoff with jitter when it
// names none) and lower the shared rate; other 5xx and lost connections back off and retry;
// after `upstream.attempts` (default 5) tries, or on a 4xx, the document fails with the reason.
// The connection is kept alive and reused. The stand-in for the LLM calls of issue 21 and what
// the rate tests drive.
class UpstreamCallHandler : public TaskHandler {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TaskHandler>> Make(
      const HandlerContext& context, const std::string& rate_limit_key);
  ~UpstreamCallHandler() override;

  absl::StatusOr<DocumentOutcome> Process(std::string_view job, std::string_view doc) override;

 private:
  UpstreamCallHandler(const HandlerContext& context, std::unique_ptr<RateLimiter> limiter,
                      std::unique_ptr<httplib::Client> client, std::string path, int attempts);
  absl::Duration Backoff(int attempt);

  HandlerContext context_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<httplib::Client> client_;
  const std::string path_;
  const int attempts_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_UPSTREAM_CALL_H_
