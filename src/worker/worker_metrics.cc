// Worker::RenderMetrics: what a worker exposes on /metrics (docs/metrics.md).
#include <fmt/format.h>

#include <set>

#include "obs/metrics.h"
#include "queue/job_progress.h"
#include "queue/rate_limiter.h"
#include "queue/task_queue.h"
#include "worker/jobs.h"
#include "worker/worker.h"

namespace nightjar {
namespace {

// A handler counter as a metric: "pg_busy_us" -> nightjar_worker_pg_busy_seconds (the running
// total in seconds, a gauge: the registry's counters hold integers), "llm_requests" ->
// nightjar_worker_llm_requests_total.
void HandlerCounter(MetricsRegistry& m, const std::string& name, uint64_t value) {
  if (name.ends_with("_us")) {
    m.GetGauge(fmt::format("nightjar_worker_{}_seconds", name.substr(0, name.size() - 3)),
               "Time the task handlers spent, total")
        .Set(static_cast<double>(value) / 1e6);
    return;
  }
  m.GetCounter(fmt::format("nightjar_worker_{}_total", name), "A task handler's count").Add(value);
}

void StatsMetrics(MetricsRegistry& m, const WorkerStats& s, size_t slots) {
  const char* tasks = "Tasks by what became of them";
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="acked")").Add(s.tasks);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="released")").Add(s.released);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="claimed")").Add(s.claimed);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="dead_lettered")").Add(s.dead);
  const char* docs = "Documents by outcome";
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="completed")").Add(s.documents);
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="failed")").Add(s.failed);
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="skipped")").Add(s.skipped);
  for (const auto& [name, value] : s.counters) HandlerCounter(m, name, value);
  m.GetGauge("nightjar_worker_slots", "Worker slots").Set(static_cast<double>(slots));
}

// Waiting tasks and dead letters of the served queues; false when Redis did not answer.
bool QueueMetrics(MetricsRegistry& m, RedisConnection* conn, TaskQueue* queue,
                  const std::vector<std::pair<std::string, int>>& queues) {
  bool up = false;
  for (const auto& [name, weight] : queues) {
    const std::string label = fmt::format(R"(queue="{}")", name);
    if (auto waiting = queue->Waiting(name); waiting.ok()) {
      up = true;
      m.GetGauge("nightjar_queue_waiting_tasks", "Tasks queued and not yet taken", label)
          .Set(static_cast<double>(*waiting));
    }
    if (auto dead = conn->Command({"XLEN", queue->DeadKey(name)}); dead.ok()) {
      m.GetGauge("nightjar_queue_dead_letters", "Tasks in the dead-letter stream", label)
          .Set(static_cast<double>(dead->integer()));
    }
  }
  return up;
}

void LimitMetrics(MetricsRegistry& m, RedisConnection* conn, const std::set<std::string>& keys) {
  for (const std::string& key : keys) {
    RateLimitOptions lo;
    lo.name = key;
    auto limiter = RateLimiter::Open(conn, lo);
    if (!limiter.ok()) continue;
    auto st = (*limiter)->Stats();
    if (!st.ok()) continue;
    const std::string label = fmt::format(R"(key="{}")", key);
    m.GetCounter("nightjar_rate_limit_granted_total", "Calls the shared limit let go", label)
        .Add(st->granted);
    m.GetCounter("nightjar_rate_limit_waits_total", "Asks the shared limit told to wait", label)
        .Add(st->waits);
    m.GetCounter("nightjar_rate_limit_throttles_total",
                 "429/503 answers from the upstream (violations of its limit)", label)
        .Add(st->throttles);
    m.GetGauge("nightjar_rate_limit_rate", "The configured calls per second", label).Set(st->rate);
    m.GetGauge("nightjar_rate_limit_share", "The AIMD share of the rate in force", label)
        .Set(st->share);
  }
}

// Running jobs' progress (the newest 20): documents, remaining, rate, ETA.
void JobMetrics(MetricsRegistry& m, RedisConnection* conn) {
  auto jobs = ListJobs(conn, 20);
  if (!jobs.ok()) return;
  for (const std::string& id : *jobs) {
    JobProgress p(conn, id);
    auto st = p.Status();
    if (!st.ok() || st->state != JobState::kRunning) continue;
    const std::string label = fmt::format(R"(job="{}",type="{}")", id, st->type);
    m.GetGauge("nightjar_job_total_documents", "A running job's documents", label)
        .Set(static_cast<double>(st->total));
    m.GetGauge("nightjar_job_remaining_documents", "A running job's documents left", label)
        .Set(static_cast<double>(st->remaining));
    m.GetGauge("nightjar_job_rate_documents_per_second",
               "A running job's rate over the last minute", label)
        .Set(st->rate);
    if (st->eta) {
      m.GetGauge("nightjar_job_eta_seconds", "A running job's ETA at its recent rate", label)
          .Set(absl::ToDoubleSeconds(*st->eta));
    }
  }
}

// The last schema-drift check's outdated documents per KB.
void DriftMetrics(MetricsRegistry& m, RedisConnection* conn) {
  auto kbs =
      conn->Command({"HGETALL", fmt::format("nightjar:{}:schema_drift", conn->endpoint().ns)});
  if (!kbs.ok()) return;
  for (size_t i = 0; i + 1 < kbs->size(); i += 2) {
    m.GetGauge("nightjar_schema_drift_outdated_documents",
               "Documents below the current extraction schema, per KB, at the last check",
               fmt::format(R"(kb="{}")", kbs->element_str(i)))
        .Set(std::strtod(std::string(kbs->element_str(i + 1)).c_str(), nullptr));
  }
}

}  // namespace

std::string Worker::RenderMetrics() {
  MetricsRegistry m;
  StatsMetrics(m, stats(), slots_.size());
  // From Redis: the served queues, their task types' shared limits, jobs, the drift check.
  std::lock_guard<std::mutex> lock(metrics_mu_);
  if (metrics_conn_ == nullptr || metrics_conn_->broken()) {
    metrics_queue_.reset();
    auto c = RedisConnection::Connect(endpoint_);
    if (c.ok()) metrics_conn_ = std::move(*c);
  }
  if (metrics_queue_ == nullptr && metrics_conn_ != nullptr && !metrics_conn_->broken()) {
    QueueOptions qo;
    qo.queues = options_.queues;
    auto queue = TaskQueue::Open(metrics_conn_.get(), qo);
    if (queue.ok()) metrics_queue_ = std::move(*queue);
  }
  bool up = false;
  if (metrics_queue_ != nullptr && !metrics_conn_->broken()) {
    up = QueueMetrics(m, metrics_conn_.get(), metrics_queue_.get(), options_.queues);
    std::set<std::string> keys;
    for (const auto& [name, weight] : options_.queues) {
      for (const TaskType& t : TaskTypes()) {
        if (t.queue == name && !t.rate_limit_key.empty()) keys.insert(t.rate_limit_key);
      }
    }
    if (!options_.reextract.rate_limit_key.empty()) keys.insert(options_.reextract.rate_limit_key);
    LimitMetrics(m, metrics_conn_.get(), keys);
    JobMetrics(m, metrics_conn_.get());
    DriftMetrics(m, metrics_conn_.get());
  }
  m.GetGauge("nightjar_worker_redis_up", "Whether the worker reached its Redis for this scrape")
      .Set(up ? 1 : 0);
  return m.Render();
}

}  // namespace nightjar
