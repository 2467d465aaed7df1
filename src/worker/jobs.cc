#include "worker/jobs.h"

#include <fmt/format.h>

#include <random>

#include "util/json_writer.h"
#include "util/status_macros.h"
#include "worker/task_payload.h"
#include "worker/task_types.h"

namespace nightjar {
namespace {

std::string NewJobId(const Clock& clock) {
  std::random_device rd;
  return fmt::format("j{:x}{:08x}", absl::ToUnixMillis(clock.Now()), rd());
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<SubmitResult> SubmitJob(RedisConnection* conn, const SubmitOptions& o) {
  const TaskType* type = FindTaskType(o.type);
  if (type == nullptr) {
    std::vector<std::string> names;
    for (const TaskType& t : TaskTypes()) names.push_back(t.name);
    return absl::InvalidArgumentError(fmt::format("jobs submit: unknown task type '{}' (known: {})",
                                                  o.type, fmt::join(names, ", ")));
  }
  if (o.docs.empty()) return absl::InvalidArgumentError("jobs submit: no documents");
  if (o.batch_size == 0) {
    return absl::InvalidArgumentError("jobs submit: --batch-size must be >= 1");
  }
  SubmitResult r;
  r.job = NewJobId(*o.clock);
  r.queue = type->queue;
  r.documents = o.docs.size();
  ProgressOptions po;
  po.clock = o.clock;
  JobProgress progress(conn, r.job, po);
  NJ_RETURN_IF_ERROR(progress.Create(o.type, o.docs.size()));
  QueueOptions qo;
  qo.queues = {{type->queue, 1}};
  NJ_ASSIGN_OR_RETURN(auto queue, TaskQueue::Open(conn, qo));
  // In chunks, so that a million-document job is not one reply of a million ids.
  constexpr size_t kChunk = 1000;
  std::vector<TaskMessage> tasks;
  for (size_t base = 0; base < o.docs.size(); base += o.batch_size) {
    TaskPayload p;
    p.base = base;
    p.options = o.options;
    const size_t end = std::min(o.docs.size(), base + o.batch_size);
    p.docs.assign(o.docs.begin() + static_cast<ptrdiff_t>(base),
                  o.docs.begin() + static_cast<ptrdiff_t>(end));
    tasks.push_back(TaskMessage{r.job, o.type, EncodePayload(p)});
    if (tasks.size() == kChunk) {
      NJ_RETURN_IF_ERROR(queue->Enqueue(type->queue, o.priority, tasks).status());
      r.tasks += tasks.size();
      tasks.clear();
    }
  }
  if (!tasks.empty()) {
    NJ_RETURN_IF_ERROR(queue->Enqueue(type->queue, o.priority, tasks).status());
    r.tasks += tasks.size();
  }
  return r;
}

absl::StatusOr<std::vector<std::string>> ListJobs(RedisConnection* conn, size_t max) {
  const std::string index = fmt::format("nightjar:{}:jobs", conn->endpoint().ns);
  NJ_ASSIGN_OR_RETURN(RedisReply ids,
                      conn->Command({"ZREVRANGE", index, "0", std::to_string(max * 2)}));
  std::vector<std::string> out;
  for (size_t i = 0; i < ids.size() && out.size() < max; ++i) {
    const std::string id(ids.element_str(i));
    JobProgress p(conn, id);
    NJ_ASSIGN_OR_RETURN(RedisReply exists, conn->Command({"EXISTS", p.Key()}));
    if (exists.integer() == 1) {
      out.push_back(id);
    } else {
      NJ_RETURN_IF_ERROR(conn->Command({"ZREM", index, id}).status());  // expired
    }
  }
  return out;
}

absl::StatusOr<size_t> RetryFailed(RedisConnection* conn, std::string_view job) {
  JobProgress p(conn, std::string(job));
  NJ_ASSIGN_OR_RETURN(JobStatus s, p.Status());
  const TaskType* type = FindTaskType(s.type);
  if (type == nullptr) {
    return absl::InvalidArgumentError(fmt::format("job {} has an unknown type", job));
  }
  QueueOptions qo;
  qo.queues = {{type->queue, 1}};
  NJ_ASSIGN_OR_RETURN(auto queue, TaskQueue::Open(conn, qo));
  return queue->ReplayDead(type->queue, job);
}

std::string JobStatusJson(const JobStatus& s) {
  JsonWriter w;
  w.BeginObject().Key("id").String(s.id).Key("type").String(s.type);
  w.Key("state").String(JobStateName(s.state));
  w.Key("total").Uint(s.total).Key("completed").Uint(s.completed).Key("failed").Uint(s.failed);
  w.Key("remaining").Uint(s.remaining);
  w.Key("started_at").String(Rfc3339(s.started_at));
  w.Key("last_update").String(Rfc3339(s.last_update));
  w.Key("ended_at");
  s.ended_at ? w.String(Rfc3339(*s.ended_at)) : w.Null();
  w.Key("stage").String(s.stage);
  w.Key("rate").Double(s.rate);
  w.Key("eta_s");
  s.eta ? w.Double(absl::ToDoubleSeconds(*s.eta)) : w.Null();
  w.Key("errors").BeginArray();
  for (const JobError& e : s.errors) {
    w.BeginObject().Key("document").String(e.document).Key("message").String(e.message);
    w.Key("time").String(Rfc3339(e.time)).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string JobStatusLine(const JobStatus& s) {
  const double done =
      s.total == 0 ? 1.0
                   : static_cast<double>(s.completed + s.failed) / static_cast<double>(s.total);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(done * kWidth);
  std::string bar = std::string(static_cast<size_t>(filled), '#') +
                    std::string(static_cast<size_t>(kWidth - filled), '.');
  std::string eta = s.eta ? fmt::format(", ETA {:.0f}s", absl::ToDoubleSeconds(*s.eta)) : "";
  return fmt::format("{} [{}] {:5.1f}% {} of {} ({} failed, {} remaining), {:.1f} docs/s{} - {}",
                     s.id, bar, done * 100, s.completed + s.failed, s.total, s.failed, s.remaining,
                     s.rate, eta, JobStateName(s.state));
}

}  // namespace nightjar
