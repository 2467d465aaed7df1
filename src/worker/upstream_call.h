#ifndef NIGHTJAR_WORKER_UPSTREAM_CALL_H_
#define NIGHTJAR_WORKER_UPSTREAM_CALL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "worker/limited_call.h"
#include "worker/task_types.h"

namespace nightjar {

// The `upstream` task type: one HTTP call per document to a rate-limited upstream, under the
// shared limiter of its rate-limit key: POST {"job","document"} to `upstream.url` (a worker
// -o option). A 2xx answer commits a result (like `record`); retries, throttles and backoff are
// LimitedCaller's, with `upstream.attempts` (default 5) tries; a document whose call fails for
// good fails with the reason. The connection is kept alive and reused. What the rate tests
// drive.
class UpstreamCallHandler : public TaskHandler {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TaskHandler>> Make(
      const HandlerContext& context, const std::string& rate_limit_key);

  absl::StatusOr<DocumentOutcome> Process(const TaskDocument& d) override;
  std::vector<std::pair<std::string, uint64_t>> Counters() const override;

 private:
  UpstreamCallHandler(const HandlerContext& context, std::unique_ptr<LimitedCaller> caller,
                      std::string path);

  HandlerContext context_;
  std::unique_ptr<LimitedCaller> caller_;
  const std::string path_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_UPSTREAM_CALL_H_
