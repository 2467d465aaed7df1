#ifndef NIGHTJAR_QUEUE_TASK_QUEUE_H_
#define NIGHTJAR_QUEUE_TASK_QUEUE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "queue/job_progress.h"
#include "store/redis_client.h"

namespace nightjar {

enum class Priority : uint8_t { kHigh = 0, kNormal = 1, kLow = 2 };
inline constexpr size_t kPriorityCount = 3;
std::string_view PriorityName(Priority p);
// "high", "normal", "low"; InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<Priority> ParsePriority(std::string_view name);

// One task as it travels: what to do (type, payload) for which job.
struct TaskMessage {
  std::string job;      // the job it belongs to
  std::string type;     // the task type's registered name
  std::string payload;  // the handler's input (JSON)
  // A copy of a task that ran before (handed back, or replayed from the dead letters): some of
  // its documents may be done, so a worker checks their markers first.
  bool resumed = false;
};

// A task taken from a queue and held by this consumer until acked, released or lost.
struct HeldTask {
  std::string queue;
  Priority priority = Priority::kNormal;
  std::string id;  // the stream entry id
  TaskMessage message;
  uint64_t deliveries = 1;  // times it was handed to a consumer, this one included
  // The job's state ("running", "done", "cancelled"; "" = no such job) when a new task was
  // taken, read in the same step; "?" when not read (a claimed task).
  std::string job_state = "?";
};

// A task that was delivered too many times, kept in the queue's dead-letter stream.
struct DeadTask {
  std::string id;  // its entry id in the dead-letter stream
  std::string queue;
  Priority priority = Priority::kNormal;
  TaskMessage message;
  uint64_t deliveries = 0;
  std::string last_error;
};

// How a consumer serves its queues. Every field has a default.
struct QueueOptions {
  // The queues served and their weights: with several, each is taken from in proportion to its
  // weight while it has work.
  std::vector<std::pair<std::string, int>> queues = {{"reprocessing", 1}};
  // Weights of high, normal and low: each priority is taken in proportion while it has work,
  // so low is slowed by high, never starved.
  std::array<int, kPriorityCount> priority_weights = {6, 3, 1};
  std::string consumer = "worker";          // unique per worker (host, pid, slot)
  size_t prefetch = 1;                      // tasks held at once (taken, not yet acked or released)
  absl::Duration block = absl::Seconds(2);  // how long Take waits for work (no polling loop)
  // A held task whose holder has not renewed it (Heartbeat) for this long is claimed by others.
  absl::Duration claim_after = absl::Seconds(60);
  uint64_t max_deliveries = 5;  // a task handed out more often goes to the dead-letter stream
};

// Named queues on Redis Streams with one consumer group ("workers") each, one stream per
// priority: `nightjar:<ns>:queue:<name>:<priority>`, dead letters in
// `nightjar:<ns>:queue:<name>:dead`. A taken task stays in the group's pending list until it
// is acked; its holder renews it with Heartbeat (XCLAIM … JUSTID resets its idle time without
// counting a delivery), and ReclaimStale lets any consumer take over tasks whose holder's
// heartbeat lapsed (XCLAIM with min-idle: one claimer wins; each claim counts a delivery, and
// past `max_deliveries` the task goes to the dead-letter stream instead). There is no
// visibility timeout: a long task is never run twice while its worker lives.
//
// Not thread-safe: one TaskQueue (and connection) per consumer thread.
class TaskQueue {
 public:
  // Creates the streams' consumer groups if missing. `conn` must outlive the queue.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TaskQueue>> Open(RedisConnection* conn,
                                                                       QueueOptions options);

  // The command that adds `task` to `queue` at `priority` (for a caller's own script); the
  // queue's consumer group must exist (EnsureQueue).
  std::vector<std::string> EnqueueCommand(std::string_view queue, Priority priority,
                                          const TaskMessage& task) const;
  // Creates `queue`'s streams and consumer groups at every priority if missing.
  [[nodiscard]] absl::Status EnsureQueue(std::string_view queue);
  // Adds tasks to `queue` at `priority` in one pipelined round trip; returns their ids.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Enqueue(
      std::string_view queue, Priority priority, const std::vector<TaskMessage>& tasks);

  // The next task by queue and priority weights, waiting up to `block` when there is none;
  // nullopt when none came or `prefetch` tasks are already held.
  [[nodiscard]] absl::StatusOr<std::optional<HeldTask>> Take();
  // Take, with `prior` (a command of the caller's, such as the commit of its last batch) sent
  // first in the same round trip; its reply (or error) lands in `prior_reply`. The prior
  // command is always sent, whether or not a task comes.
  [[nodiscard]] absl::StatusOr<std::optional<HeldTask>> TakeWith(
      const std::vector<std::string>& prior, absl::StatusOr<RedisReply>* prior_reply);
  // Hands out, with no round trip, the tasks already taken from Redis (by an earlier Take's
  // prefetch), up to the prefetch bound of held tasks.
  std::vector<HeldTask> TakeReady();
  // The task is done: removed from the pending list and the stream.
  [[nodiscard]] absl::Status Ack(const HeldTask& task);
  // What acks `task` inside another step (JobProgress::CommitGroup); once that step has run,
  // Abandon forgets it here.
  AckRef AckRefFor(const HeldTask& task) const;
  // Hands a task back for anyone to take now (a shutdown, a soft time limit): a copy is queued
  // again with the same priority and the held one acked.
  [[nodiscard]] absl::Status Release(const HeldTask& task);
  // Renews every held task, so that no other consumer claims them. Returns the ids of tasks
  // another consumer claimed meanwhile (this one's heartbeat had lapsed): they are no longer
  // held here, and their work must not be committed twice (completion markers see to that).
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Heartbeat();
  // Moves a held task to the dead-letter stream now (it can never succeed: an unknown type, a
  // malformed payload).
  [[nodiscard]] absl::Status DeadLetter(const HeldTask& task, std::string_view last_error);
  // Forgets a held task without acking it: it stays pending, and is claimed again (counting a
  // delivery) once its heartbeat lapses; for a task whose processing failed as a whole.
  void Abandon(const HeldTask& task);
  // Hands back every task taken from Redis but not yet handed out by Take (a shutdown).
  [[nodiscard]] absl::Status ReleaseUnstarted();
  // Records why a held task failed, for the dead-letter stream should it end there.
  [[nodiscard]] absl::Status RecordError(const HeldTask& task, std::string_view error);
  // Claims up to `max` tasks of the served queues whose holders stopped renewing them (their
  // idle time passed `claim_after`); those delivered `max_deliveries` times already go to the
  // dead-letter stream with `last_error`. Claimed tasks are handed out by Take first. Returns
  // how many were claimed and how many dead-lettered.
  [[nodiscard]] absl::StatusOr<std::pair<size_t, size_t>> ReclaimStale(size_t max = 100);

  // Dead letters of `queue`, oldest first, and replaying them (queued again, removed from the
  // dead-letter stream); `job` = "" means every job's. Return how many.
  [[nodiscard]] absl::StatusOr<std::vector<DeadTask>> DeadLetters(std::string_view queue,
                                                                  size_t max = 1000);
  [[nodiscard]] absl::StatusOr<size_t> ReplayDead(std::string_view queue, std::string_view job);

  // Tasks waiting (not yet taken) in `queue`, over all priorities.
  [[nodiscard]] absl::StatusOr<uint64_t> Waiting(std::string_view queue);

  size_t held() const { return held_.size(); }
  // Every task this consumer holds: handed out by Take, and taken from Redis but not yet handed
  // out (prefetched); what a heartbeat must renew.
  std::vector<HeldTask> Holding() const;
  const QueueOptions& options() const { return options_; }

  std::string StreamKey(std::string_view queue, Priority p) const;
  std::string DeadKey(std::string_view queue) const;

 private:
  TaskQueue(RedisConnection* conn, QueueOptions options);
  absl::Status EnsureGroups();
  // Reads up to `count` new entries of the served streams into `ready_`, with `prior` (when not
  // null) sent just before in the same round trip (its reply into `prior_reply`).
  absl::Status FillAfter(size_t count, const std::vector<std::string>* prior,
                         absl::StatusOr<RedisReply>* prior_reply);
  // Take and TakeWith: `prior` (when not null) goes with the first round trip.
  absl::StatusOr<std::optional<HeldTask>> TakeAfter(const std::vector<std::string>* prior,
                                                    absl::StatusOr<RedisReply>* prior_reply);
  // Waits up to `block` for the first new entry of any served stream, into `ready_`.
  absl::Status FillBlocking();
  std::optional<HeldTask> PickReady();
  std::vector<std::pair<std::string, Priority>> Streams() const;  // (queue, priority)

  RedisConnection* conn_;
  const QueueOptions options_;
  std::vector<size_t> schedule_;  // indexes into Streams(), a smooth weighted round robin
  size_t next_ = 0;               // position in schedule_
  std::vector<std::deque<HeldTask>> ready_;  // per stream: taken from Redis, not yet handed out
  std::vector<HeldTask> held_;               // handed out, not yet acked or released
};

// The stream of `queue` at priority `p` in namespace `ns`.
std::string StreamKeyFor(std::string_view ns, std::string_view queue, Priority p);

// Renews `tasks` for `consumer` (TaskQueue::Heartbeat's work, callable from a heartbeat thread
// with its own connection); returns the ids another consumer owns now.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> RenewTasks(
    RedisConnection* conn, std::string_view consumer, const std::vector<HeldTask>& tasks);

}  // namespace nightjar

#endif  // NIGHTJAR_QUEUE_TASK_QUEUE_H_
