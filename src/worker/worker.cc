#include "worker/worker.h"

#include <fmt/format.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "queue/job_progress.h"
#include "util/status_macros.h"
#include "worker/task_payload.h"
#include "worker/task_types.h"

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
};

namespace {

std::string DefaultName() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}", host, ::getpid());
}

}  // namespace

Worker::Worker(WorkerOptions options, RedisEndpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

Worker::~Worker() = default;

absl::StatusOr<std::unique_ptr<Worker>> Worker::Open(const WorkerOptions& options) {
  if (options.concurrency < 1) return absl::InvalidArgumentError("worker: -c must be >= 1");
  if (options.claim_after < 3 * options.heartbeat) {
    return absl::InvalidArgumentError(
        "worker: claim_after must be at least three heartbeats, or live tasks get claimed");
  }
  NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(options.redis_uri));
  std::unique_ptr<Worker> w(new Worker(options, endpoint));
  const std::string name = options.name.empty() ? DefaultName() : options.name;
  for (int i = 0; i < options.concurrency; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->consumer = fmt::format("{}#{}", name, i);
    NJ_ASSIGN_OR_RETURN(slot->conn, RedisConnection::Connect(endpoint));
    QueueOptions qo;
    qo.queues = options.queues;
    qo.consumer = slot->consumer;
    qo.prefetch = options.prefetch;
    qo.block = options.block;
    qo.claim_after = options.claim_after;
    qo.max_deliveries = options.max_deliveries;
    NJ_ASSIGN_OR_RETURN(slot->queue, TaskQueue::Open(slot->conn.get(), qo));
    w->slots_.push_back(std::move(slot));
  }
  return w;
}

absl::Duration Worker::SoftTimeLimit(const TaskType& type) const {
  auto it = options_.settings.find(type.name + ".soft_time_limit_s");
  if (it == options_.settings.end()) return type.soft_time_limit;
  return absl::Seconds(std::atof(it->second.c_str()));
}

WorkerStats Worker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::Status Worker::Run() {
  std::vector<absl::Status> results(slots_.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < slots_.size(); ++i) {
      threads.emplace_back([this, i, &results] {
        results[i] = RunSlot(*slots_[i]);
        if (!results[i].ok()) stop_.store(true);  // one broken slot stops the worker
      });
    }
    std::jthread heartbeat([this] { HeartbeatLoop(); });
    for (auto& t : threads) t.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      slots_done_.store(true);
    }
    done_cv_.notify_all();
  }
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void Worker::HeartbeatLoop() {
  auto conn = RedisConnection::Connect(endpoint_);
  for (;;) {
    {
      // Sleeps a whole heartbeat (no polling), woken early only when the slots are done.
      std::unique_lock<std::mutex> lock(mu_);
      const auto interval = absl::ToChronoMilliseconds(options_.heartbeat);
      if (done_cv_.wait_for(lock, interval, [this] { return slots_done_.load(); })) return;
    }
    if (!conn.ok() || (*conn)->broken()) {
      conn = RedisConnection::Connect(endpoint_);
      if (!conn.ok()) continue;  // the slots see the outage themselves
    }
    for (auto& slot : slots_) {
      std::vector<HeldTask> held;
      {
        std::lock_guard<std::mutex> lock(slot->mu);
        held = slot->held;
      }
      auto lost = RenewTasks(conn->get(), slot->consumer, held);
      if (lost.ok() && !lost->empty()) {
        std::lock_guard<std::mutex> lock(slot->mu);
        slot->lost.insert(slot->lost.end(), lost->begin(), lost->end());
      }
    }
  }
}

absl::Status Worker::RunSlot(Slot& slot) {
  absl::Status st = ServeSlot(slot);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [type, handler] : slot.handlers) {
    for (const auto& [name, value] : handler->Counters()) stats_.counters[name] += value;
  }
  return st;
}

absl::Status Worker::ServeSlot(Slot& slot) {
  absl::Time next_reclaim = absl::InfinitePast();
  while (!stop_.load()) {
    if (absl::Now() >= next_reclaim) {
      NJ_ASSIGN_OR_RETURN(auto reclaimed, slot.queue->ReclaimStale());
      std::lock_guard<std::mutex> lock(mu_);
      stats_.claimed += reclaimed.first;
      stats_.dead += reclaimed.second;
      next_reclaim = absl::Now() + options_.claim_after / 2;
    }
    NJ_ASSIGN_OR_RETURN(std::optional<HeldTask> task, slot.queue->Take());
    // The heartbeat renews every task this slot holds: the one it runs and the prefetched ones
    // waiting behind it (which would otherwise lapse during a long task and run twice).
    auto publish = [&] {
      std::lock_guard<std::mutex> lock(slot.mu);
      slot.held = slot.queue->Holding();
    };
    publish();
    if (!task) continue;
    absl::Status st = RunTask(slot, *task);
    publish();
    NJ_RETURN_IF_ERROR(st);
  }
  // Stopping: what was taken but not started goes back at once.
  return slot.queue->ReleaseUnstarted();
}

absl::Status Worker::RunTask(Slot& slot, const HeldTask& task) {
  auto payload = ParsePayload(task.message.payload);
  const TaskType* type = FindTaskType(task.message.type);
  if (!payload.ok() || type == nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.dead;
    const std::string why = payload.ok() ? fmt::format("unknown task type '{}'", task.message.type)
                                         : std::string{payload.status().message()};
    return slot.queue->DeadLetter(task, why);
  }
  auto& handler = slot.handlers[type->name];
  if (handler == nullptr) {
    NJ_ASSIGN_OR_RETURN(
        handler, type->make(HandlerContext{slot.conn.get(), slot.consumer, &options_.settings,
                                           &options_.refresh, &options_.reextract}));
  }
  JobProgress progress(slot.conn.get(), task.message.job);
  uint64_t done = 0, skipped = 0, failed = 0;
  auto tally = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.documents += done;
    stats_.skipped += skipped;
    stats_.failed += failed;
  };
  for (size_t i = 0; i < payload->docs.size(); ++i) {
    const uint64_t ordinal = payload->base + i;
    const std::string& doc = payload->docs[i];
    if (stop_.load()) {  // SIGTERM: the rest of the batch goes back; marked ones stay done
      tally();
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.released;
      return slot.queue->Release(task);
    }
    {
      std::lock_guard<std::mutex> lock(slot.mu);
      if (std::find(slot.lost.begin(), slot.lost.end(), task.id) != slot.lost.end()) {
        slot.queue->Abandon(task);  // another worker runs it now
        tally();
        return absl::OkStatus();
      }
    }
    auto state = progress.State();
    if (!state.ok() || *state == JobState::kCancelled) break;  // gone, expired or cancelled
    NJ_ASSIGN_OR_RETURN(const bool marked, progress.IsDone(ordinal));
    if (marked) {
      ++skipped;
      continue;
    }
    const absl::Time started = absl::Now();
    auto outcome =
        handler->Process(TaskDocument{task.message.job, doc, ordinal, &payload->options});
    const bool overran = absl::Now() - started > SoftTimeLimit(*type);
    if (!outcome.ok()) {
      // The task cannot go on here: it stays pending and is claimed again later.
      NJ_RETURN_IF_ERROR(slot.queue->RecordError(task, std::string{outcome.status().message()}));
      slot.queue->Abandon(task);
      tally();
      return absl::OkStatus();
    }
    NJ_ASSIGN_OR_RETURN(const bool counted,
                        progress.MarkDone(ordinal, doc, outcome->error, outcome->result));
    if (counted) outcome->error ? ++failed : ++done;
    if (!counted) ++skipped;
    if (overran && i + 1 < payload->docs.size()) {
      // Past the soft time limit: this document is committed; the rest of the batch goes back
      // to the queue for any worker, so one slow batch does not hold its documents behind it.
      tally();
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.released;
      return slot.queue->Release(task);
    }
  }
  tally();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.tasks;
  }
  return slot.queue->Ack(task);
}

}  // namespace nightjar
