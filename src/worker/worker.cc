#include "worker/worker.h"

#include <fmt/format.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "obs/metrics_server.h"
#include "queue/job_progress.h"
#include "util/status_macros.h"
#include "worker/task_payload.h"
#include "worker/task_types.h"
#include "worker/worker_slot.h"

namespace nightjar {

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
  WorkerStats s = stats_;
  for (const auto& slot : slots_) {
    std::lock_guard<std::mutex> slot_lock(slot->mu);
    for (const auto& [name, value] : slot->counters) s.counters[name] += value;
  }
  return s;
}

absl::Status Worker::Run() {
  std::unique_ptr<MetricsServer> metrics;
  if (!options_.metrics_listen.empty()) {
    NJ_ASSIGN_OR_RETURN(metrics,
                        MetricsServer::Start(options_.metrics_listen, "worker.metrics_listen",
                                             [this] { return RenderMetrics(); }));
    std::fprintf(stderr, "nightjar worker: metrics on port %d\n", metrics->port());
  }
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

void Worker::PublishHeld(Slot& slot) {
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.held = slot.queue->Holding();
  // Ids no longer held (acked, released) need no watching.
  std::erase_if(slot.lost, [&](const std::string& id) {
    return std::none_of(slot.held.begin(), slot.held.end(),
                        [&](const HeldTask& h) { return h.id == id; });
  });
}

absl::Status Worker::RunSlot(Slot& slot) {
  absl::Status st = ServeSlot(slot);
  PublishCounters(slot);
  return st;
}

void Worker::PublishCounters(Slot& slot) {
  std::map<std::string, uint64_t> now;
  for (const auto& [type, handler] : slot.handlers) {
    for (const auto& [name, value] : handler->Counters()) now[name] += value;
  }
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.counters = std::move(now);
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
    NJ_ASSIGN_OR_RETURN(std::optional<HeldTask> task, TakeNext(slot));
    PublishHeld(slot);
    if (!task) continue;
    // The tasks prefetched with it run as one batch, committed in groups.
    std::vector<HeldTask> batch = {std::move(*task)};
    for (HeldTask& t : slot.queue->TakeReady()) batch.push_back(std::move(t));
    absl::Status st = RunBatch(slot, std::move(batch));
    PublishHeld(slot);
    PublishCounters(slot);
    if (!st.ok()) {
      (void)Flush(slot);  // what was processed still commits, if Redis lets it
      return st;
    }
  }
  // Stopping: what was processed commits; what was taken but not started goes back at once.
  NJ_RETURN_IF_ERROR(Flush(slot));
  return slot.queue->ReleaseUnstarted();
}

}  // namespace nightjar
