// Worker::RenderMetrics: what a worker exposes on /metrics.
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
std::pair<std::string, double> CounterMetric(const std::string& name, uint64_t value) {
  if (name.ends_with("_us")) {
    return {fmt::format("nightjar_worker_{}_seconds", name.substr(0, name.size() - 3)),
            static_cast<double>(value) / 1e6};
  }
  return {fmt::format("nightjar_worker_{}_total", name), static_cast<double>(value)};
}

}  // namespace

std::string Worker::RenderMetrics() {
  const WorkerStats s = stats();
  MetricsRegistry m;
  const char* tasks = "Tasks by what became of them";
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="acked")").Add(s.tasks);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="released")").Add(s.released);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="claimed")").Add(s.claimed);
  m.GetCounter("nightjar_worker_tasks_total", tasks, R"(outcome="dead_lettered")").Add(s.dead);
  const char* docs = "Documents by outcome";
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="completed")").Add(s.documents);
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="failed")").Add(s.failed);
  m.GetCounter("nightjar_worker_documents_total", docs, R"(outcome="skipped")").Add(s.skipped);
  for (const auto& [name, value] : s.counters) {
    auto [metric, v] = CounterMetric(name, value);
    if (metric.ends_with("_seconds")) {
      m.GetGauge(metric, "Time the task handlers spent, total").Set(v);
    } else {
      m.GetCounter(metric, "A task handler's count").Add(static_cast<uint64_t>(v));
    }
  }
  m.GetGauge("nightjar_worker_slots", "Worker slots").Set(static_cast<double>(slots_.size()));
  // From Redis: the served queues and their task types' shared limits.
  std::lock_guard<std::mutex> lock(metrics_mu_);
  if (metrics_conn_ == nullptr || metrics_conn_->broken()) {
    auto c = RedisConnection::Connect(endpoint_);
    if (c.ok()) metrics_conn_ = std::move(*c);
  }
  double redis_up = 0;
  if (metrics_conn_ != nullptr && !metrics_conn_->broken()) {
    QueueOptions qo;
    qo.queues = options_.queues;
    auto queue = TaskQueue::Open(metrics_conn_.get(), qo);
    std::set<std::string> keys;
    for (const auto& [name, weight] : options_.queues) {
      for (const TaskType& t : TaskTypes()) {
        if (t.queue == name && !t.rate_limit_key.empty()) keys.insert(t.rate_limit_key);
      }
      if (!queue.ok()) continue;
      const std::string label = fmt::format(R"(queue="{}")", name);
      if (auto waiting = (*queue)->Waiting(name); waiting.ok()) {
        redis_up = 1;
        m.GetGauge("nightjar_queue_waiting_tasks", "Tasks queued and not yet taken", label)
            .Set(static_cast<double>(*waiting));
      }
      if (auto dead = metrics_conn_->Command({"XLEN", (*queue)->DeadKey(name)}); dead.ok()) {
        m.GetGauge("nightjar_queue_dead_letters", "Tasks in the dead-letter stream", label)
            .Set(static_cast<double>(dead->integer()));
      }
    }
    if (!options_.reextract.rate_limit_key.empty()) keys.insert(options_.reextract.rate_limit_key);
    // Running jobs' progress (the newest 20): remaining, rate, ETA.
    if (auto jobs = ListJobs(metrics_conn_.get(), 20); jobs.ok()) {
      for (const std::string& id : *jobs) {
        JobProgress p(metrics_conn_.get(), id);
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
    const std::string drift = fmt::format("nightjar:{}:schema_drift", endpoint_.ns);
    if (auto kbs = metrics_conn_->Command({"HGETALL", drift}); kbs.ok()) {
      for (size_t i = 0; i + 1 < kbs->size(); i += 2) {
        m.GetGauge("nightjar_schema_drift_outdated_documents",
                   "Documents below the current extraction schema, per KB, at the last check",
                   fmt::format(R"(kb="{}")", kbs->element_str(i)))
            .Set(std::strtod(std::string(kbs->element_str(i + 1)).c_str(), nullptr));
      }
    }
    for (const std::string& key : keys) {
      RateLimitOptions lo;
      lo.name = key;
      auto limiter = RateLimiter::Open(metrics_conn_.get(), lo);
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
      m.GetGauge("nightjar_rate_limit_rate", "The configured calls per second", label)
          .Set(st->rate);
      m.GetGauge("nightjar_rate_limit_share", "The AIMD share of the rate in force", label)
          .Set(st->share);
    }
  }
  m.GetGauge("nightjar_worker_redis_up", "Whether the worker reached its Redis for this scrape")
      .Set(redis_up);
  return m.Render();
}

}  // namespace nightjar
