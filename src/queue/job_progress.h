#ifndef NIGHTJAR_QUEUE_JOB_PROGRESS_H_
#define NIGHTJAR_QUEUE_JOB_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/redis_client.h"
#include "util/clock.h"

namespace nightjar {

// Every field has a default.
struct ProgressOptions {
  absl::Duration window = absl::Seconds(60);  // the recent window the rate (and ETA) is over
  absl::Duration keep = absl::Hours(24 * 7);  // progress expires this long after the job ends
  const Clock* clock = Clock::Real();         // times of updates (tests pass a fake one)
};

// A result written to a Redis hash in the same atomic step as the document's completion marker,
// so that it is written exactly once (task types whose results live in Redis).
struct RedisResult {
  std::string key;  // full key
  std::string field;
  std::string value;
  bool increment = false;  // HINCRBY by `value` (an integer) instead of HSET
};

struct JobError {
  std::string document;
  std::string message;
  absl::Time time;
};

enum class JobState : uint8_t { kRunning, kDone, kCancelled };
std::string_view JobStateName(JobState s);
// The inverse of JobStateName; anything else is kRunning.
JobState ParseJobState(std::string_view s);

// A job's progress as a status call reports it.
struct JobStatus {
  std::string id;
  std::string type;
  JobState state = JobState::kRunning;
  uint64_t total = 0, completed = 0, failed = 0, remaining = 0;
  absl::Time started_at, last_update;
  std::optional<absl::Time> ended_at;
  std::string stage;                  // what it is doing now, when its task type says
  double rate = 0;                    // documents per second over the recent window
  std::optional<absl::Duration> eta;  // remaining / rate; none while the rate is 0
  std::vector<JobError> errors;       // the last 10, newest first
};

// One document to commit in a group (CommitGroup): its job, ordinal, outcome and result.
struct DocumentCommit {
  std::string job;
  uint64_t ordinal = 0;
  std::string document;
  std::optional<std::string> error;  // failed, with this message
  std::optional<RedisResult> result;
};

// A task to ack in the same step as its documents' marks (the queue's keys and entry id).
struct AckRef {
  std::string stream;  // the task's stream
  std::string errors;  // the queue's dead-letter error hash (its field for the task is dropped)
  std::string group;
  std::string id;
};

// What committing one document came to.
struct CommitOutcome {
  int code = 0;                         // 1 counted now, 0 marked before, -1 no such job
  JobState state = JobState::kRunning;  // the job's state after the step
};

// A job's state and which of a run of its documents are marked, for a task about to start.
struct JobProbe {
  bool exists = false;
  JobState state = JobState::kRunning;
  std::vector<bool> done;  // done[i]: document base + i is marked
};

// A job's progress in Redis: `nightjar:<ns>:job:<id>` (a hash: type, state, total, completed,
// failed, started_at, last_update, ended_at), `…:rate` (a ring of per-second counts over the
// window: two fields per second slot), `…:errors` (a list of the last 10) and `…:done` (a
// bitmap: one bit per document, by its ordinal in the job: the completion marker). Each
// document's update is one Lua script, atomic and O(1). Once every document is done the job is
// `done`, and its keys expire `keep` later; so do a cancelled job's. Not thread-safe (the
// caller's connection).
class JobProgress {
 public:
  // `conn` must outlive this.
  JobProgress(RedisConnection* conn, std::string job, ProgressOptions options = {});

  // Records a new job of `total` documents. AlreadyExists when the id is taken.
  [[nodiscard]] absl::Status Create(std::string_view type, uint64_t total);
  // The commands that record it (for a caller that runs them in a script of its own).
  std::vector<std::vector<std::string>> CreateCommands(std::string_view type, uint64_t total) const;
  // Whether document `ordinal` (0-based, < total) is done already: a redelivered task skips it.
  [[nodiscard]] absl::StatusOr<bool> IsDone(uint64_t ordinal);
  // Marks document `ordinal` done, counted as completed, or as failed with `error`. Returns
  // false (and counts nothing) when it was marked already: each document is counted once.
  // With `result`, the result is written in the same step, only when counted.
  [[nodiscard]] absl::StatusOr<bool> MarkDone(uint64_t ordinal, std::string_view document,
                                              const std::optional<std::string>& error,
                                              const std::optional<RedisResult>& result = {});
  // Records what the job is doing now (a refresh's stage), shown in its status.
  [[nodiscard]] absl::Status SetStage(std::string_view stage);
  // Stops the job: workers see it between documents (State()).
  [[nodiscard]] absl::Status Cancel();
  [[nodiscard]] absl::StatusOr<JobState> State();
  // NotFound when the job does not exist (or expired).
  [[nodiscard]] absl::StatusOr<JobStatus> Status();

  std::string Key(std::string_view part = "") const;

  // Marks and counts `docs` (of any jobs) and acks `acks`, all in one Lua script: one round trip,
  // atomic (a task is never acked without its documents' marks). Each document counts once, as
  // MarkDone; returns one outcome per document, in order.
  [[nodiscard]] static absl::StatusOr<std::vector<CommitOutcome>> CommitGroup(
      RedisConnection* conn, const std::vector<DocumentCommit>& docs,
      const std::vector<AckRef>& acks, const ProgressOptions& options = {});
  // CommitGroup in two halves, for a caller that sends it in a pipeline of its own: the command
  // (its arguments), and what its reply says (`docs` outcomes expected).
  static std::vector<std::string> CommitGroupCommand(RedisConnection* conn,
                                                     const std::vector<DocumentCommit>& docs,
                                                     const std::vector<AckRef>& acks,
                                                     const ProgressOptions& options = {});
  [[nodiscard]] static absl::StatusOr<std::vector<CommitOutcome>> ParseCommitGroup(
      const RedisReply& reply, size_t docs);
  // The state and marks of several jobs' document runs ({job, base, count}), pipelined in one
  // round trip.
  [[nodiscard]] static absl::StatusOr<std::vector<JobProbe>> Probe(
      RedisConnection* conn, const std::vector<std::tuple<std::string, uint64_t, size_t>>& runs);

 private:
  RedisConnection* conn_;
  const std::string job_;
  const ProgressOptions options_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_QUEUE_JOB_PROGRESS_H_
