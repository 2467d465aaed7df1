#ifndef NIGHTJAR_WORKER_WORKER_H_
#define NIGHTJAR_WORKER_WORKER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "queue/task_queue.h"
#include "store/redis_client.h"
#include "worker/task_types.h"

namespace nightjar {

// How a worker process serves its queues. Every field has a default.
struct WorkerOptions {
  std::string redis_uri = "redis://127.0.0.1:6379/0";  // the queues' Redis (REDIS_URL)
  std::vector<std::pair<std::string, int>> queues = {{"reprocessing", 1}};  // -Q, with weights
  int concurrency = 1;  // -c: slots, each with its own connection and handler
  size_t prefetch = 1;  // tasks a slot holds at once
  absl::Duration heartbeat = absl::Seconds(10);    // how often held tasks are renewed
  absl::Duration claim_after = absl::Seconds(60);  // a task unrenewed this long is claimed
  uint64_t max_deliveries = 5;                     // then it is dead-lettered
  absl::Duration block = absl::Seconds(2);         // how long an idle slot blocks on the streams
  std::string name;                                // consumer name prefix; "" = host:pid
  std::map<std::string, std::string> settings;     // task types' options (--option key=value)
  RefreshRunner refresh;                           // for lexicon.refresh (the CLI's)
  ReextractOptions reextract;                      // for reextract ([reextract])
  // Processed documents are committed (marked, counted, their tasks acked) in one round trip per
  // group: at most this many documents and acks a group...
  size_t commit_max = 64;
  // ...and none waits longer than this for its group (a slow document commits at once). A
  // crash redoes at most the group in flight.
  absl::Duration commit_window = absl::Milliseconds(20);
  std::string metrics_listen;  // host:port for /metrics and /healthz; "" = none
};

// What a worker did, for its exit summary and metrics.
struct WorkerStats {
  uint64_t tasks = 0;      // tasks finished and acked
  uint64_t documents = 0;  // documents processed and marked
  uint64_t skipped = 0;    // documents a redelivered task found done already
  uint64_t failed = 0;     // documents marked failed
  uint64_t released = 0;   // tasks handed back (shutdown)
  uint64_t claimed = 0;    // lapsed tasks taken over from dead workers
  uint64_t dead = 0;       // tasks dead-lettered
  // The task handlers' own counts (TaskHandler::Counters), summed over slots as they end.
  std::map<std::string, uint64_t> counters;
};

// A worker process: `concurrency` slots take tasks from the queues, process their documents
// one by one (skipping those whose completion marker is set, stopping at a cancelled job), mark
// each done together with its result, and ack the task; a heartbeat thread renews every slot's
// held tasks. A document that ran past its type's soft time limit is committed, and the rest of
// its task handed back to the queue. Stop() (SIGTERM) makes each slot finish the document in
// flight, hand the rest of its task back and return: only committed documents are marked, so
// nothing committed is run again. Thread-safe.
class Worker {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Worker>> Open(const WorkerOptions& options);
  ~Worker();

  // Serves until Stop(); returns the first slot error, if any. With `metrics_listen`, serves
  // /metrics (RenderMetrics) and /healthz meanwhile.
  [[nodiscard]] absl::Status Run();
  // Async-signal-safe: only sets a flag.
  void Stop() { stop_.store(true); }
  // Thread-safe; the handlers' counters as of each slot's last batch.
  WorkerStats stats() const;
  // Prometheus text: the stats, and from Redis the served queues' waiting tasks and dead
  // letters and the shared limits of their task types. Thread-safe.
  std::string RenderMetrics();

  struct Slot;

 private:
  Worker(WorkerOptions options, RedisEndpoint endpoint);
  absl::Status RunSlot(Slot& slot);  // ServeSlot, then the handlers' counters into stats_
  absl::Status ServeSlot(Slot& slot);
  // Runs taken tasks' documents, committing them (marks, results, acks) in groups of up to
  // `commit_max` or as soon as the oldest waited `commit_window` (worker_batch.cc).
  absl::Status RunBatch(Slot& slot, std::vector<HeldTask> tasks);
  // Tells the heartbeat which tasks the slot holds now.
  void PublishHeld(Slot& slot);
  // Snapshots the slot's handlers' counters for stats().
  void PublishCounters(Slot& slot);
  // Commits the slot's group now; or builds its command (to send with the next take) and
  // settles its reply: counts, ended jobs, the group cleared.
  absl::Status Flush(Slot& slot);
  std::vector<std::string> GroupCommand(Slot& slot) const;
  absl::Status Settle(Slot& slot, const absl::StatusOr<RedisReply>& reply);
  // Takes the next task, sending the slot's pending group in the same round trip.
  absl::StatusOr<std::optional<HeldTask>> TakeNext(Slot& slot);
  void HeartbeatLoop();
  // The type's soft time limit per document, or its `<type>.soft_time_limit_s` setting.
  absl::Duration SoftTimeLimit(const TaskType& type) const;

  const WorkerOptions options_;
  const RedisEndpoint endpoint_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<bool> slots_done_{false};
  mutable std::mutex mu_;
  std::condition_variable done_cv_;  // signalled (under mu_) when slots_done_ turns true
  WorkerStats stats_;                // guarded by mu_
  std::mutex metrics_mu_;            // guards metrics_conn_ and metrics_queue_
  std::unique_ptr<RedisConnection> metrics_conn_;
  std::unique_ptr<TaskQueue> metrics_queue_;  // on metrics_conn_: opened once, not per scrape
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_WORKER_H_
