// TaskQueue's taking: picks by the weighted schedule, fills from Redis up to the prefetch
// bound (with a caller's command in the same round trip), blocking only when idle.
#include <fmt/format.h>
#include <hiredis.h>

#include <algorithm>

#include "queue/task_entry.h"
#include "queue/task_queue.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

using task_entry::kGroup;
using task_entry::MessageOf;
using task_entry::SetField;
using task_entry::Str;

// Takes up to ARGV[3] new entries from the streams in KEYS, in order (the first ones first), and
// reads each one's job state from the hash ARGV[4] .. job (a key named by the entry, so this
// script is for a single Redis, not a cluster). ARGV: group, consumer, count, job key prefix.
// Returns {index (1-based), id, job state or "", fields (n), field, value, ...} per entry.
constexpr char kPickScript[] = R"lua(
local want = tonumber(ARGV[3])
local out, states = {}, {}
for i, key in ipairs(KEYS) do
  if want == 0 then break end
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', want, 'STREAMS', key, '>')
  if r and r[1] then
    for _, e in ipairs(r[1][2]) do
      local job = ''
      for f = 1, #e[2], 2 do
        if e[2][f] == 'job' then job = e[2][f + 1] end
      end
      out[#out + 1] = i
      out[#out + 1] = e[1]
      if states[job] == nil then states[job] = redis.call('HGET', ARGV[4] .. job, 'state') or '' end
      out[#out + 1] = states[job]
      out[#out + 1] = #e[2]
      for _, v in ipairs(e[2]) do out[#out + 1] = v end
      want = want - 1
    end
  end
end
return out
)lua";

}  // namespace

std::optional<HeldTask> TaskQueue::PickReady() {
  for (size_t n = 0; n < schedule_.size(); ++n) {
    const size_t pos = (next_ + n) % schedule_.size();
    std::deque<HeldTask>& q = ready_[schedule_[pos]];
    if (q.empty()) continue;
    next_ = (pos + 1) % schedule_.size();
    HeldTask t = std::move(q.front());
    q.pop_front();
    return t;
  }
  return std::nullopt;
}

absl::Status TaskQueue::FillAfter(size_t count, const std::vector<std::string>* prior,
                                  absl::StatusOr<RedisReply>* prior_reply) {
  const auto streams = Streams();
  // Streams in schedule order from the current position, each once.
  std::vector<std::string_view> argv = {"EVAL", kPickScript, ""};
  std::vector<std::string> keys;
  std::vector<size_t> index;
  for (size_t n = 0; n < schedule_.size(); ++n) {
    const size_t s = schedule_[(next_ + n) % schedule_.size()];
    if (std::find(index.begin(), index.end(), s) != index.end()) continue;
    index.push_back(s);
    keys.push_back(StreamKey(streams[s].first, streams[s].second));
  }
  const std::string nkeys = std::to_string(keys.size());
  argv[2] = nkeys;
  for (const std::string& k : keys) argv.push_back(k);
  argv.push_back(kGroup);
  argv.push_back(options_.consumer);
  const std::string want = std::to_string(count);
  argv.push_back(want);
  const std::string jobs = fmt::format("nightjar:{}:job:", conn_->endpoint().ns);
  argv.push_back(jobs);
  if (prior != nullptr) {
    conn_->Append(std::vector<std::string_view>(prior->begin(), prior->end()));
    conn_->Append(argv);
    *prior_reply = conn_->GetReply();
  }
  NJ_ASSIGN_OR_RETURN(RedisReply r, prior != nullptr ? conn_->GetReply() : conn_->Command(argv));
  if (r.is_nil() || !r.is_array()) return absl::OkStatus();
  for (size_t i = 0; i + 3 < r.size();) {
    const redisReply* e = r.raw()->element[i];
    const size_t s = index[static_cast<size_t>(e->integer - 1)];
    const size_t fields = static_cast<size_t>(r.raw()->element[i + 3]->integer);
    HeldTask t{streams[s].first,
               streams[s].second,
               std::string(r.element_str(i + 1)),
               {},
               1,
               std::string(r.element_str(i + 2))};
    for (size_t f = 0; f + 1 < fields; f += 2) {
      SetField(t.message, r.element_str(i + 4 + f), r.element_str(i + 5 + f));
    }
    ready_[s].push_back(std::move(t));
    i += 4 + fields;
  }
  return absl::OkStatus();
}

absl::Status TaskQueue::FillBlocking() {
  const auto streams = Streams();
  std::vector<std::string> keys;
  for (const auto& [queue, p] : streams) keys.push_back(StreamKey(queue, p));
  const std::string block = std::to_string(absl::ToInt64Milliseconds(options_.block));
  std::vector<std::string_view> argv = {"XREADGROUP", "GROUP", kGroup, options_.consumer, "COUNT",
                                        "1",          "BLOCK", block,  "STREAMS"};
  for (const std::string& k : keys) argv.push_back(k);
  for (size_t i = 0; i < keys.size(); ++i) argv.push_back(">");
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command(argv));
  if (r.is_nil() || !r.is_array()) return absl::OkStatus();
  for (size_t i = 0; i < r.size(); ++i) {
    const redisReply* stream = r.raw()->element[i];
    const std::string_view key = Str(stream->element[0]);
    const size_t s = static_cast<size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
    if (s >= keys.size()) continue;
    const redisReply* entries = stream->element[1];
    for (size_t e = 0; e < entries->elements; ++e) {
      const redisReply* entry = entries->element[e];
      ready_[s].push_back(HeldTask{streams[s].first, streams[s].second,
                                   std::string(Str(entry->element[0])),
                                   MessageOf(entry->element[1]), 1});
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<HeldTask>> TaskQueue::Take() { return TakeAfter(nullptr, nullptr); }

absl::StatusOr<std::optional<HeldTask>> TaskQueue::TakeWith(
    const std::vector<std::string>& prior, absl::StatusOr<RedisReply>* prior_reply) {
  return TakeAfter(&prior, prior_reply);
}

absl::StatusOr<std::optional<HeldTask>> TaskQueue::TakeAfter(
    const std::vector<std::string>* prior, absl::StatusOr<RedisReply>* prior_reply) {
  size_t waiting = held_.size();
  for (const auto& q : ready_) waiting += q.size();
  std::optional<HeldTask> t;
  if (held_.size() < options_.prefetch) t = PickReady();
  if (!t && waiting < options_.prefetch) {
    // Up to the prefetch bound in one round trip (the prior command's), so the next Takes need
    // none; only when nothing came does it block.
    NJ_RETURN_IF_ERROR(FillAfter(options_.prefetch - waiting, prior, prior_reply));
    if (prior != nullptr && !prior_reply->ok()) return prior_reply->status();
    t = PickReady();
    if (!t) {
      NJ_RETURN_IF_ERROR(FillBlocking());
      t = PickReady();
    }
  } else if (prior != nullptr) {
    *prior_reply = conn_->Command(std::vector<std::string_view>(prior->begin(), prior->end()));
    if (!prior_reply->ok()) return prior_reply->status();
  }
  if (t) held_.push_back(*t);
  return t;
}

std::vector<HeldTask> TaskQueue::TakeReady() {
  std::vector<HeldTask> out;
  while (held_.size() < options_.prefetch) {
    std::optional<HeldTask> t = PickReady();
    if (!t) break;
    held_.push_back(*t);
    out.push_back(std::move(*t));
  }
  return out;
}

AckRef TaskQueue::AckRefFor(const HeldTask& task) const {
  return AckRef{StreamKey(task.queue, task.priority), DeadKey(task.queue) + ":errors", kGroup,
                task.id};
}

}  // namespace nightjar
