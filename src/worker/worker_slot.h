#ifndef NIGHTJAR_WORKER_WORKER_SLOT_H_
#define NIGHTJAR_WORKER_WORKER_SLOT_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "queue/job_progress.h"
#include "queue/task_queue.h"
#include "store/redis_client.h"
#include "worker/task_types.h"
#include "worker/worker.h"

namespace nightjar {

// One slot: its connection, queue, handlers, and the tasks it holds (seen by the heartbeat).
struct Worker::Slot {
  std::string consumer;
  std::unique_ptr<RedisConnection> conn;
  std::unique_ptr<TaskQueue> queue;
  std::map<std::string, std::unique_ptr<TaskHandler>> handlers;
  std::mutex mu;
  std::vector<HeldTask> held;     // guarded by mu: what the heartbeat renews
  std::vector<std::string> lost;  // guarded by mu: ids the heartbeat found claimed by others
  // guarded by mu: the handlers' counters as of the last batch (Worker::stats sums them)
  std::map<std::string, uint64_t> counters;

  // The group not yet committed (worker_batch.cc): processed documents, then finished tasks to
  // ack after them (no longer counted as held by the queue), gathered since `since`.
  std::vector<DocumentCommit> docs;
  std::vector<HeldTask> acks;
  absl::Time since;
  std::set<std::string> ended;  // jobs a commit or probe found cancelled or gone
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_WORKER_SLOT_H_
