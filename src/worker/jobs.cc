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

// The job's type, checked with the rest of its options.
absl::StatusOr<const TaskType*> CheckSubmit(const SubmitOptions& o) {
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
  return type;
}

// The job's tasks: its documents in batches, each with the job's options.
std::vector<TaskMessage> TasksOf(const std::string& job, const SubmitOptions& o, size_t from,
                                 size_t to) {
  std::vector<TaskMessage> tasks;
  for (size_t base = from; base < to; base += o.batch_size) {
    TaskPayload p;
    p.base = base;
    p.options = o.options;
    const size_t end = std::min(to, base + o.batch_size);
    p.docs.assign(o.docs.begin() + static_cast<ptrdiff_t>(base),
                  o.docs.begin() + static_cast<ptrdiff_t>(end));
    tasks.push_back(TaskMessage{job, o.type, EncodePayload(p)});
  }
  return tasks;
}

// Sets KEYS[1] to ARGV[1] (NX, EX ARGV[2]); only if it was not set, runs the commands that
// follow in ARGV, each as its argument count and then its arguments. Returns 1 when it ran.
constexpr char kGuardScript[] = R"lua(
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
local i = 3
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return 1
)lua";

}  // namespace

absl::StatusOr<std::optional<SubmitResult>> SubmitJobOnce(RedisConnection* conn,
                                                          const SubmitOptions& o,
                                                          const std::string& guard,
                                                          absl::Duration guard_ttl) {
  NJ_ASSIGN_OR_RETURN(const TaskType* type, CheckSubmit(o));
  SubmitResult r{NewJobId(*o.clock), type->queue, o.docs.size(), 0};
  ProgressOptions po;
  po.clock = o.clock;
  JobProgress progress(conn, r.job, po);
  QueueOptions qo;
  qo.queues = {{type->queue, 1}};
  NJ_ASSIGN_OR_RETURN(auto queue, TaskQueue::Open(conn, qo));
  NJ_RETURN_IF_ERROR(queue->EnsureQueue(type->queue));
  std::vector<std::string> args = {
      r.job, std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(guard_ttl)))};
  auto add = [&](const std::vector<std::string>& command) {
    args.push_back(std::to_string(command.size()));
    args.insert(args.end(), command.begin(), command.end());
  };
  for (const auto& command : progress.CreateCommands(o.type, o.docs.size())) add(command);
  for (const TaskMessage& t : TasksOf(r.job, o, 0, o.docs.size())) {
    add(queue->EnqueueCommand(type->queue, o.priority, t));
    ++r.tasks;
  }
  std::vector<std::string_view> argv = {"EVAL", kGuardScript, "1", guard};
  for (const std::string& a : args) argv.push_back(a);
  NJ_ASSIGN_OR_RETURN(RedisReply ran, conn->Command(argv));
  if (ran.integer() != 1) return std::optional<SubmitResult>();
  return std::optional<SubmitResult>(r);
}

absl::StatusOr<SubmitResult> SubmitJob(RedisConnection* conn, const SubmitOptions& o) {
  NJ_ASSIGN_OR_RETURN(const TaskType* type, CheckSubmit(o));
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
  // In chunks of 1,000 tasks, so that a million-document job is not one reply of a million ids.
  const size_t chunk = 1000 * o.batch_size;
  for (size_t from = 0; from < o.docs.size(); from += chunk) {
    const std::vector<TaskMessage> tasks =
        TasksOf(r.job, o, from, std::min(o.docs.size(), from + chunk));
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
