#include "queue/task_queue.h"

#include <fmt/format.h>
#include <hiredis.h>

#include <algorithm>

#include "queue/task_entry.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

using task_entry::FieldOf;
using task_entry::kGroup;
using task_entry::MessageOf;
using task_entry::SetField;
using task_entry::Str;

// Renews the entries still owned by ARGV[2] (idle time back to 0, no delivery counted).
// KEYS: one stream per id; ARGV: group, consumer, id... Returns the ids another consumer owns.
constexpr char kRenewScript[] = R"lua(
local lost = {}
for i, key in ipairs(KEYS) do
  local id = ARGV[i + 2]
  local p = redis.call('XPENDING', key, ARGV[1], id, id, 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', key, ARGV[1], ARGV[2], 0, id, 'JUSTID')
  else
    lost[#lost + 1] = id
  end
end
return lost
)lua";

// A smooth weighted round robin over `weights` (nginx's): each index appears weight times per
// cycle, spread out.
std::vector<size_t> Schedule(const std::vector<int>& weights) {
  std::vector<int> current(weights.size(), 0);
  int total = 0;
  for (int w : weights) total += w;
  std::vector<size_t> out;
  for (int n = 0; n < total; ++n) {
    size_t best = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push_back(best);
  }
  return out;
}

}  // namespace

std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kHigh:
      return "high";
    case Priority::kNormal:
      return "normal";
    case Priority::kLow:
      return "low";
  }
  return "normal";
}

absl::StatusOr<Priority> ParsePriority(std::string_view name) {
  for (Priority p : {Priority::kHigh, Priority::kNormal, Priority::kLow}) {
    if (PriorityName(p) == name) return p;
  }
  return absl::InvalidArgumentError(
      fmt::format("priority '{}' is not one of high, normal, low", name));
}

TaskQueue::TaskQueue(RedisConnection* conn, QueueOptions options)
    : conn_(conn), options_(std::move(options)) {
  std::vector<int> weights;
  for (const auto& [queue, qw] : options_.queues) {
    for (int pw : options_.priority_weights) weights.push_back(qw * pw);
  }
  schedule_ = Schedule(weights);
  ready_.resize(weights.size());
}

absl::StatusOr<std::unique_ptr<TaskQueue>> TaskQueue::Open(RedisConnection* conn,
                                                           QueueOptions options) {
  if (options.queues.empty()) return absl::InvalidArgumentError("queue: no queue to serve");
  for (const auto& [name, weight] : options.queues) {
    if (name.empty() || weight < 1) {
      return absl::InvalidArgumentError(
          fmt::format("queue: '{}' needs a name and a weight >= 1", name));
    }
  }
  for (int w : options.priority_weights) {
    if (w < 1) return absl::InvalidArgumentError("queue: priority weights must be >= 1");
  }
  if (options.prefetch < 1) return absl::InvalidArgumentError("queue: prefetch must be >= 1");
  std::unique_ptr<TaskQueue> q(new TaskQueue(conn, std::move(options)));
  NJ_RETURN_IF_ERROR(q->EnsureGroups());
  return q;
}

std::string StreamKeyFor(std::string_view ns, std::string_view queue, Priority p) {
  return fmt::format("nightjar:{}:queue:{}:{}", ns, queue, PriorityName(p));
}

std::string TaskQueue::StreamKey(std::string_view queue, Priority p) const {
  return StreamKeyFor(conn_->endpoint().ns, queue, p);
}

std::string TaskQueue::DeadKey(std::string_view queue) const {
  return fmt::format("nightjar:{}:queue:{}:dead", conn_->endpoint().ns, queue);
}

std::vector<std::pair<std::string, Priority>> TaskQueue::Streams() const {
  std::vector<std::pair<std::string, Priority>> out;
  for (const auto& [queue, weight] : options_.queues) {
    for (Priority p : {Priority::kHigh, Priority::kNormal, Priority::kLow})
      out.emplace_back(queue, p);
  }
  return out;
}

absl::Status TaskQueue::EnsureGroups() {
  for (const auto& [queue, p] : Streams()) {
    auto r = conn_->Command({"XGROUP", "CREATE", StreamKey(queue, p), kGroup, "0", "MKSTREAM"});
    if (!r.ok() && r.status().message().find("BUSYGROUP") == absl::string_view::npos) {
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TaskQueue::Enqueue(std::string_view queue,
                                                            Priority priority,
                                                            const std::vector<TaskMessage>& tasks) {
  const std::string key = StreamKey(queue, priority);
  // Producers may enqueue to a queue no worker has served yet.
  auto group = conn_->Command({"XGROUP", "CREATE", key, kGroup, "0", "MKSTREAM"});
  if (!group.ok() && group.status().message().find("BUSYGROUP") == absl::string_view::npos) {
    return group.status();
  }
  for (const TaskMessage& t : tasks) {
    if (t.resumed) {
      conn_->Append(
          {"XADD", key, "*", "job", t.job, "type", t.type, "payload", t.payload, "resumed", "1"});
    } else {
      conn_->Append({"XADD", key, "*", "job", t.job, "type", t.type, "payload", t.payload});
    }
  }
  std::vector<std::string> ids;
  ids.reserve(tasks.size());
  absl::Status first;
  for (size_t i = 0; i < tasks.size(); ++i) {
    auto r = conn_->GetReply();
    if (!r.ok() && first.ok()) first = r.status();
    if (r.ok()) ids.emplace_back(r->str());
  }
  NJ_RETURN_IF_ERROR(first);
  return ids;
}

std::vector<std::string> TaskQueue::EnqueueCommand(std::string_view queue, Priority priority,
                                                   const TaskMessage& t) const {
  std::vector<std::string> command = {
      "XADD", StreamKey(queue, priority), "*", "job", t.job, "type", t.type, "payload", t.payload};
  if (t.resumed) command.insert(command.end(), {"resumed", "1"});
  return command;
}

absl::Status TaskQueue::EnsureQueue(std::string_view queue) {
  for (Priority p : {Priority::kHigh, Priority::kNormal, Priority::kLow}) {
    auto r = conn_->Command({"XGROUP", "CREATE", StreamKey(queue, p), kGroup, "0", "MKSTREAM"});
    if (!r.ok() && r.status().message().find("BUSYGROUP") == absl::string_view::npos) {
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::Status TaskQueue::Ack(const HeldTask& task) {
  const std::string key = StreamKey(task.queue, task.priority);
  conn_->Append({"XACK", key, kGroup, task.id});
  conn_->Append({"XDEL", key, task.id});
  conn_->Append({"HDEL", DeadKey(task.queue) + ":errors", task.id});
  NJ_RETURN_IF_ERROR(conn_->Sync());
  std::erase_if(held_, [&](const HeldTask& h) { return h.id == task.id && h.queue == task.queue; });
  return absl::OkStatus();
}

absl::Status TaskQueue::Release(const HeldTask& task) {
  TaskMessage copy = task.message;
  copy.resumed = true;
  NJ_RETURN_IF_ERROR(Enqueue(task.queue, task.priority, {copy}).status());
  return Ack(task);
}

absl::Status TaskQueue::RecordError(const HeldTask& task, std::string_view error) {
  return conn_->Command({"HSET", DeadKey(task.queue) + ":errors", task.id, error}).status();
}

absl::StatusOr<std::vector<std::string>> RenewTasks(RedisConnection* conn,
                                                    std::string_view consumer,
                                                    const std::vector<HeldTask>& tasks) {
  if (tasks.empty()) return std::vector<std::string>();
  std::vector<std::string> keys;
  for (const HeldTask& h : tasks)
    keys.push_back(StreamKeyFor(conn->endpoint().ns, h.queue, h.priority));
  const std::string nkeys = std::to_string(tasks.size());
  std::vector<std::string_view> argv = {"EVAL", kRenewScript, nkeys};
  for (const std::string& k : keys) argv.push_back(k);
  argv.push_back(kGroup);
  argv.push_back(consumer);
  for (const HeldTask& h : tasks) argv.push_back(h.id);
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn->Command(argv));
  std::vector<std::string> lost;
  for (size_t i = 0; i < r.size(); ++i) lost.emplace_back(r.element_str(i));
  return lost;
}

void TaskQueue::Abandon(const HeldTask& task) {
  std::erase_if(held_, [&](const HeldTask& h) { return h.id == task.id && h.queue == task.queue; });
}

absl::Status TaskQueue::ReleaseUnstarted() {
  for (auto& q : ready_) {
    while (!q.empty()) {
      HeldTask t = std::move(q.front());
      q.pop_front();
      held_.push_back(t);
      NJ_RETURN_IF_ERROR(Release(t));
    }
  }
  return absl::OkStatus();
}

std::vector<HeldTask> TaskQueue::Holding() const {
  std::vector<HeldTask> all(held_.begin(), held_.end());
  for (const auto& q : ready_) all.insert(all.end(), q.begin(), q.end());
  return all;
}

absl::StatusOr<std::vector<std::string>> TaskQueue::Heartbeat() {
  NJ_ASSIGN_OR_RETURN(std::vector<std::string> lost,
                      RenewTasks(conn_, options_.consumer, Holding()));
  auto gone = [&](const HeldTask& h) {
    return std::find(lost.begin(), lost.end(), h.id) != lost.end();
  };
  std::erase_if(held_, gone);
  for (auto& q : ready_) std::erase_if(q, gone);
  return lost;
}

absl::Status TaskQueue::DeadLetter(const HeldTask& task, std::string_view last_error) {
  const std::string key = StreamKey(task.queue, task.priority);
  conn_->Append({"XADD", DeadKey(task.queue), "*", "job", task.message.job, "type",
                 task.message.type, "payload", task.message.payload, "priority",
                 PriorityName(task.priority), "deliveries", std::to_string(task.deliveries),
                 "last_error", last_error});
  conn_->Append({"XACK", key, kGroup, task.id});
  conn_->Append({"XDEL", key, task.id});
  conn_->Append({"HDEL", DeadKey(task.queue) + ":errors", task.id});
  return conn_->Sync();
}

absl::StatusOr<std::pair<size_t, size_t>> TaskQueue::ReclaimStale(size_t max) {
  const std::string idle = std::to_string(absl::ToInt64Milliseconds(options_.claim_after));
  const auto streams = Streams();
  size_t claimed = 0, dead = 0;
  for (size_t s = 0; s < streams.size() && claimed + dead < max; ++s) {
    const std::string key = StreamKey(streams[s].first, streams[s].second);
    NJ_ASSIGN_OR_RETURN(RedisReply pending,
                        conn_->Command({"XPENDING", key, kGroup, "IDLE", idle, "-", "+",
                                        std::to_string(max - claimed - dead)}));
    for (size_t i = 0; i < pending.size(); ++i) {
      const redisReply* p = pending.raw()->element[i];
      const std::string id(Str(p->element[0]));
      const uint64_t deliveries = static_cast<uint64_t>(p->element[3]->integer);
      // XCLAIM with the idle threshold: of several consumers claiming at once, one wins.
      NJ_ASSIGN_OR_RETURN(RedisReply got,
                          conn_->Command({"XCLAIM", key, kGroup, options_.consumer, idle, id}));
      if (!got.is_array() || got.size() == 0) continue;
      const redisReply* entry = got.raw()->element[0];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) {
        // Its entry is gone from the stream (deleted): nothing to run; drop it.
        NJ_RETURN_IF_ERROR(conn_->Command({"XACK", key, kGroup, id}).status());
        continue;
      }
      HeldTask t{streams[s].first, streams[s].second, id, MessageOf(entry->element[1]),
                 deliveries + 1};
      if (deliveries >= options_.max_deliveries) {
        NJ_ASSIGN_OR_RETURN(RedisReply error,
                            conn_->Command({"HGET", DeadKey(t.queue) + ":errors", id}));
        const std::string last =
            error.is_nil() ? fmt::format("its holder stopped after {} deliveries", deliveries)
                           : std::string(error.str());
        t.deliveries = deliveries;
        NJ_RETURN_IF_ERROR(DeadLetter(t, last));
        ++dead;
        continue;
      }
      ready_[s].push_back(std::move(t));
      ++claimed;
    }
  }
  return std::make_pair(claimed, dead);
}

absl::StatusOr<std::vector<DeadTask>> TaskQueue::DeadLetters(std::string_view queue, size_t max) {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"XRANGE", DeadKey(queue), "-", "+", "COUNT",
                                                    std::to_string(max)}));
  std::vector<DeadTask> out;
  for (size_t i = 0; i < r.size(); ++i) {
    const redisReply* e = r.raw()->element[i];
    DeadTask d;
    d.id = std::string(Str(e->element[0]));
    d.queue = std::string(queue);
    d.message = MessageOf(e->element[1]);
    auto p = ParsePriority(FieldOf(e->element[1], "priority"));
    d.priority = p.ok() ? *p : Priority::kNormal;
    d.deliveries = std::strtoull(FieldOf(e->element[1], "deliveries").c_str(), nullptr, 10);
    d.last_error = FieldOf(e->element[1], "last_error");
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<size_t> TaskQueue::ReplayDead(std::string_view queue, std::string_view job) {
  NJ_ASSIGN_OR_RETURN(std::vector<DeadTask> dead, DeadLetters(queue, 100000));
  size_t n = 0;
  for (const DeadTask& d : dead) {
    if (!job.empty() && d.message.job != job) continue;
    TaskMessage copy = d.message;
    copy.resumed = true;
    NJ_RETURN_IF_ERROR(Enqueue(queue, d.priority, {copy}).status());
    NJ_RETURN_IF_ERROR(conn_->Command({"XDEL", DeadKey(queue), d.id}).status());
    ++n;
  }
  return n;
}

absl::StatusOr<uint64_t> TaskQueue::Waiting(std::string_view queue) {
  uint64_t n = 0;
  for (Priority p : {Priority::kHigh, Priority::kNormal, Priority::kLow}) {
    const std::string key = StreamKey(queue, p);
    NJ_ASSIGN_OR_RETURN(RedisReply len, conn_->Command({"XLEN", key}));
    auto pending = conn_->Command({"XPENDING", key, kGroup});
    const uint64_t held = pending.ok() && pending->is_array() && pending->size() > 0 &&
                                  pending->raw()->element[0]->type == REDIS_REPLY_INTEGER
                              ? static_cast<uint64_t>(pending->raw()->element[0]->integer)
                              : 0;
    n += static_cast<uint64_t>(len.integer()) -
         std::min<uint64_t>(held, static_cast<uint64_t>(len.integer()));
  }
  return n;
}

}  // namespace nightjar
