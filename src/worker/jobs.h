#ifndef NIGHTJAR_WORKER_JOBS_H_
#define NIGHTJAR_WORKER_JOBS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "queue/job_progress.h"
#include "queue/task_queue.h"
#include "store/redis_client.h"
#include "util/clock.h"

namespace nightjar {

// A job to fan out. Every field has a default.
struct SubmitOptions {
  std::string type = "noop";      // a registered task type (task_types.h)
  std::vector<std::string> docs;  // the documents, in order (their ordinals name the markers)
  std::map<std::string, std::string> options;  // the job's options, carried by each task
  size_t batch_size = 50;                      // documents per task
  Priority priority = Priority::kNormal;
  const Clock* clock = Clock::Real();
};

struct SubmitResult {
  std::string job;
  std::string queue;
  uint64_t documents = 0;
  uint64_t tasks = 0;
};

// Records the job's progress (total = the documents) and enqueues its tasks on its type's
// queue. InvalidArgument for an unknown type, no documents or a zero batch size.
[[nodiscard]] absl::StatusOr<SubmitResult> SubmitJob(RedisConnection* conn,
                                                     const SubmitOptions& options);

// SubmitJob at most once per `guard` (a Redis key): the job's record and its tasks are written
// in one script, only if it sets `guard` (to the job id, expiring after `guard_ttl`); nullopt
// when the guard was set already. For jobs of at most a few thousand documents (a scheduled
// fire: its arguments); InvalidArgument as SubmitJob.
[[nodiscard]] absl::StatusOr<std::optional<SubmitResult>> SubmitJobOnce(
    RedisConnection* conn, const SubmitOptions& options, const std::string& guard,
    absl::Duration guard_ttl);

// The jobs whose progress has not expired, newest first.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ListJobs(RedisConnection* conn,
                                                                size_t max = 100);

// Queues the job's dead-lettered tasks again; returns how many.
[[nodiscard]] absl::StatusOr<size_t> RetryFailed(RedisConnection* conn, std::string_view job);

// A status as JSON ({"id","type","state","total","completed","failed","remaining",
// "started_at","last_update","ended_at","rate","eta_s","errors":[{"document","message",
// "time"}]}) and as one line with a progress bar.
std::string JobStatusJson(const JobStatus& s);
std::string JobStatusLine(const JobStatus& s);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_JOBS_H_
