#include "queue/job_progress.h"

#include <fmt/format.h>
#include <hiredis.h>

#include <cstdlib>

#include "util/status_macros.h"

namespace nightjar {
namespace {

// Marks and counts documents, then acks tasks, in one atomic step.
// KEYS: per document 5 (job, rate, errors, done, result hash or the job again), then per ack 2
// (stream, dead-letter error hash). ARGV: now (ms), window (s), keep (s), documents, acks; per
// document 7 (ordinal, failed "1"/"0", error record, has result "1"/"0", result field, result
// value, increment "1"/"0"); per ack 2 (group, id). Returns per document its code (-1 no such
// job, 0 marked before, 1 counted now) and the job's state after.
constexpr char kCommitScript[] = R"lua(
local now, window, keep = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local ndocs, nacks = tonumber(ARGV[4]), tonumber(ARGV[5])
-- Per document: its marker (and result); per job, once for the group: counts, the rate ring,
-- errors, the done check.
local jobs, order, code = {}, {}, {}
for d = 0, ndocs - 1 do
  local k, a = 5 * d, 6 + 7 * d
  local key = KEYS[k + 1]
  local j = jobs[key]
  if j == nil then
    j = {exists = redis.call('EXISTS', key) == 1, k = k, completed = 0, failed = 0, errors = {}}
    jobs[key] = j
    order[#order + 1] = key
  end
  if not j.exists then
    code[d + 1] = -1
  elseif redis.call('SETBIT', KEYS[k + 4], ARGV[a], 1) == 1 then
    code[d + 1] = 0
  else
    code[d + 1] = 1
    if ARGV[a + 3] == '1' then
      redis.call(ARGV[a + 6] == '1' and 'HINCRBY' or 'HSET', KEYS[k + 5], ARGV[a + 4], ARGV[a + 5])
    end
    if ARGV[a + 1] == '1' then
      j.failed = j.failed + 1
      j.errors[#j.errors + 1] = ARGV[a + 2]
    else
      j.completed = j.completed + 1
    end
  end
end
for _, key in ipairs(order) do
  local j = jobs[key]
  j.state = ''
  if j.exists then
    local k = j.k
    local n = j.completed + j.failed
    if n > 0 then
      if j.completed > 0 then redis.call('HINCRBY', key, 'completed', j.completed) end
      if j.failed > 0 then redis.call('HINCRBY', key, 'failed', j.failed) end
      redis.call('HSET', key, 'last_update', now)
      local sec = math.floor(tonumber(now) / 1000)
      local slot = sec % window
      if tonumber(redis.call('HGET', KEYS[k + 2], 't' .. slot) or '-1') == sec then
        redis.call('HINCRBY', KEYS[k + 2], 'n' .. slot, n)
      else
        redis.call('HSET', KEYS[k + 2], 't' .. slot, string.format('%d', sec), 'n' .. slot, n)
      end
      if #j.errors > 0 then
        redis.call('LPUSH', KEYS[k + 3], unpack(j.errors))
        redis.call('LTRIM', KEYS[k + 3], 0, 9)
      end
    end
    local h = redis.call('HMGET', key, 'total', 'completed', 'failed', 'state')
    j.state = h[4] or ''
    if n > 0 and h[4] == 'running' and
        tonumber(h[2] or '0') + tonumber(h[3] or '0') >= tonumber(h[1]) then
      redis.call('HSET', key, 'state', 'done', 'ended_at', now)
      for i = 1, 4 do redis.call('EXPIRE', KEYS[k + i], keep) end
      j.state = 'done'
    end
  end
end
local out = {}
for d = 0, ndocs - 1 do
  out[#out + 1] = code[d + 1]
  out[#out + 1] = jobs[KEYS[5 * d + 1]].state
end
-- Acks, by stream: one XACK and XDEL each, one HDEL of their recorded errors.
local kb, ab = 5 * ndocs, 6 + 7 * ndocs
local streams, sorder = {}, {}
for t = 0, nacks - 1 do
  local stream = KEYS[kb + 2 * t + 1]
  local s = streams[stream]
  if s == nil then
    s = {errs = KEYS[kb + 2 * t + 2], group = ARGV[ab + 2 * t], ids = {}}
    streams[stream] = s
    sorder[#sorder + 1] = stream
  end
  s.ids[#s.ids + 1] = ARGV[ab + 2 * t + 1]
end
for _, stream in ipairs(sorder) do
  local s = streams[stream]
  redis.call('XACK', stream, s.group, unpack(s.ids))
  redis.call('XDEL', stream, unpack(s.ids))
  redis.call('HDEL', s.errs, unpack(s.ids))
end
return out
)lua";

// KEYS: job, rate, errors, done. ARGV: now (ms), keep (s).
constexpr char kCancelScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'ended_at', ARGV[1], 'last_update', ARGV[1])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
return 1
)lua";

// Errors are kept as "<time ms>\x1f<document>\x1f<message>": this file writes and reads them.
constexpr char kSep = '\x1f';

std::string ErrorRecord(absl::Time t, std::string_view doc, std::string_view message) {
  return fmt::format("{}{}{}{}{}", absl::ToUnixMillis(t), kSep, doc, kSep, message);
}

JobError ParseErrorRecord(std::string_view r) {
  JobError e;
  const size_t a = r.find(kSep);
  const size_t b = a == std::string_view::npos ? a : r.find(kSep, a + 1);
  if (b == std::string_view::npos) {
    e.message = std::string(r);
    return e;
  }
  e.time = absl::FromUnixMillis(std::strtoll(std::string(r.substr(0, a)).c_str(), nullptr, 10));
  e.document = std::string(r.substr(a + 1, b - a - 1));
  e.message = std::string(r.substr(b + 1));
  return e;
}

std::string Get(const RedisReply& hash, std::string_view name) {
  for (size_t i = 0; i + 1 < hash.size(); i += 2) {
    if (hash.element_str(i) == name) return std::string(hash.element_str(i + 1));
  }
  return "";
}

uint64_t GetU(const RedisReply& hash, std::string_view name) {
  return std::strtoull(Get(hash, name).c_str(), nullptr, 10);
}

absl::Time GetTime(const RedisReply& hash, std::string_view name) {
  return absl::FromUnixMillis(std::strtoll(Get(hash, name).c_str(), nullptr, 10));
}

}  // namespace

JobState ParseJobState(std::string_view s) {
  if (s == "done") return JobState::kDone;
  if (s == "cancelled") return JobState::kCancelled;
  return JobState::kRunning;
}

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "running";
}

JobProgress::JobProgress(RedisConnection* conn, std::string job, ProgressOptions options)
    : conn_(conn), job_(std::move(job)), options_(options) {}

std::string JobProgress::Key(std::string_view part) const {
  return fmt::format("nightjar:{}:job:{}{}{}", conn_->endpoint().ns, job_, part.empty() ? "" : ":",
                     part);
}

absl::Status JobProgress::Create(std::string_view type, uint64_t total) {
  NJ_ASSIGN_OR_RETURN(RedisReply created, conn_->Command({"HSETNX", Key(), "type", type}));
  if (created.integer() == 0) {
    return absl::AlreadyExistsError(fmt::format("job {} exists already", job_));
  }
  for (const auto& command : CreateCommands(type, total)) {
    conn_->Append(std::vector<std::string_view>(command.begin(), command.end()));
  }
  return conn_->Sync();
}

std::vector<std::vector<std::string>> JobProgress::CreateCommands(std::string_view type,
                                                                  uint64_t total) const {
  const std::string now = std::to_string(absl::ToUnixMillis(options_.clock->Now()));
  return {{"HSET", Key(), "type", std::string(type), "state", total == 0 ? "done" : "running",
           "total", std::to_string(total), "completed", "0", "failed", "0", "started_at", now,
           "last_update", now},
          {"ZADD", fmt::format("nightjar:{}:jobs", conn_->endpoint().ns), now, job_}};
}

absl::StatusOr<bool> JobProgress::IsDone(uint64_t ordinal) {
  NJ_ASSIGN_OR_RETURN(RedisReply r,
                      conn_->Command({"GETBIT", Key("done"), std::to_string(ordinal)}));
  return r.integer() == 1;
}

absl::StatusOr<bool> JobProgress::MarkDone(uint64_t ordinal, std::string_view document,
                                           const std::optional<std::string>& error,
                                           const std::optional<RedisResult>& result) {
  NJ_ASSIGN_OR_RETURN(
      std::vector<CommitOutcome> r,
      CommitGroup(conn_, {DocumentCommit{job_, ordinal, std::string(document), error, result}}, {},
                  options_));
  if (r[0].code < 0) return absl::NotFoundError(fmt::format("job {} not found", job_));
  return r[0].code == 1;
}

absl::StatusOr<std::vector<CommitOutcome>> JobProgress::CommitGroup(
    RedisConnection* conn, const std::vector<DocumentCommit>& docs, const std::vector<AckRef>& acks,
    const ProgressOptions& options) {
  const std::vector<std::string> command = CommitGroupCommand(conn, docs, acks, options);
  NJ_ASSIGN_OR_RETURN(RedisReply r,
                      conn->Command(std::vector<std::string_view>(command.begin(), command.end())));
  return ParseCommitGroup(r, docs.size());
}

std::vector<std::string> JobProgress::CommitGroupCommand(RedisConnection* conn,
                                                         const std::vector<DocumentCommit>& docs,
                                                         const std::vector<AckRef>& acks,
                                                         const ProgressOptions& options) {
  const absl::Time now = options.clock->Now();
  std::vector<std::string> keys, args = {std::to_string(absl::ToUnixMillis(now)),
                                         std::to_string(absl::ToInt64Seconds(options.window)),
                                         std::to_string(absl::ToInt64Seconds(options.keep)),
                                         std::to_string(docs.size()), std::to_string(acks.size())};
  for (const DocumentCommit& d : docs) {
    JobProgress p(conn, d.job, options);
    const std::string job = p.Key();
    keys.insert(keys.end(), {job, p.Key("rate"), p.Key("errors"), p.Key("done"),
                             d.result ? d.result->key : job});
    args.insert(args.end(),
                {std::to_string(d.ordinal), d.error ? "1" : "0",
                 d.error ? ErrorRecord(now, d.document, *d.error) : "", d.result ? "1" : "0",
                 d.result ? d.result->field : "", d.result ? d.result->value : "",
                 d.result && d.result->increment ? "1" : "0"});
  }
  for (const AckRef& a : acks) {
    keys.insert(keys.end(), {a.stream, a.errors});
    args.insert(args.end(), {a.group, a.id});
  }
  std::vector<std::string> command = {"EVAL", kCommitScript, std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

absl::StatusOr<std::vector<CommitOutcome>> JobProgress::ParseCommitGroup(const RedisReply& r,
                                                                         size_t docs) {
  std::vector<CommitOutcome> out;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    out.push_back(CommitOutcome{static_cast<int>(r.raw()->element[i]->integer),
                                ParseJobState(r.element_str(i + 1))});
  }
  if (out.size() != docs) return absl::InternalError("job progress: a short commit reply");
  return out;
}

absl::StatusOr<std::vector<JobProbe>> JobProgress::Probe(
    RedisConnection* conn, const std::vector<std::tuple<std::string, uint64_t, size_t>>& runs) {
  for (const auto& [job, base, count] : runs) {
    JobProgress p(conn, job);
    conn->Append({"HGET", p.Key(), "state"});
    std::vector<std::string> bits = {"BITFIELD", p.Key("done")};
    for (size_t i = 0; i < count; ++i) {
      bits.insert(bits.end(), {"GET", "u1", std::to_string(base + i)});
    }
    std::vector<std::string_view> argv(bits.begin(), bits.end());
    conn->Append(argv);
  }
  std::vector<JobProbe> out;
  absl::Status first;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto state = conn->GetReply();
    auto bits = conn->GetReply();
    if (!state.ok() || !bits.ok()) {
      if (first.ok()) first = !state.ok() ? state.status() : bits.status();
      continue;
    }
    JobProbe p;
    p.exists = !state->is_nil();
    if (p.exists) p.state = ParseJobState(state->str());
    for (size_t b = 0; b < bits->size(); ++b) {
      p.done.push_back(bits->raw()->element[b]->integer == 1);
    }
    p.done.resize(std::get<2>(runs[i]), false);
    out.push_back(std::move(p));
  }
  NJ_RETURN_IF_ERROR(first);
  return out;
}

absl::Status JobProgress::SetStage(std::string_view stage) {
  return conn_->Command({"HSET", Key(), "stage", stage}).status();
}

absl::Status JobProgress::Cancel() {
  const std::string now = std::to_string(absl::ToUnixMillis(options_.clock->Now()));
  NJ_ASSIGN_OR_RETURN(
      RedisReply r,
      conn_->Command({"EVAL", kCancelScript, "4", Key(), Key("rate"), Key("errors"), Key("done"),
                      now, std::to_string(absl::ToInt64Seconds(options_.keep))}));
  if (r.integer() < 0) return absl::NotFoundError(fmt::format("job {} not found", job_));
  return absl::OkStatus();
}

absl::StatusOr<JobState> JobProgress::State() {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"HGET", Key(), "state"}));
  if (r.is_nil()) return absl::NotFoundError(fmt::format("job {} not found", job_));
  return ParseJobState(r.str());
}

absl::StatusOr<JobStatus> JobProgress::Status() {
  conn_->Append({"HGETALL", Key()});
  conn_->Append({"HGETALL", Key("rate")});
  conn_->Append({"LRANGE", Key("errors"), "0", "9"});
  NJ_ASSIGN_OR_RETURN(RedisReply job, conn_->GetReply());
  NJ_ASSIGN_OR_RETURN(RedisReply rate, conn_->GetReply());
  NJ_ASSIGN_OR_RETURN(RedisReply errors, conn_->GetReply());
  if (job.size() == 0) return absl::NotFoundError(fmt::format("job {} not found", job_));
  JobStatus s;
  s.id = job_;
  s.type = Get(job, "type");
  s.state = ParseJobState(Get(job, "state"));
  s.total = GetU(job, "total");
  s.completed = GetU(job, "completed");
  s.failed = GetU(job, "failed");
  s.remaining = s.total - std::min(s.total, s.completed + s.failed);
  s.started_at = GetTime(job, "started_at");
  s.last_update = GetTime(job, "last_update");
  if (!Get(job, "ended_at").empty()) s.ended_at = GetTime(job, "ended_at");
  s.stage = Get(job, "stage");
  // Documents in the second slots of the window that ends now (or when the job ended).
  const absl::Time now = s.ended_at ? *s.ended_at : options_.clock->Now();
  const int64_t now_s = absl::ToUnixSeconds(now);
  const int64_t window = absl::ToInt64Seconds(options_.window);
  uint64_t recent = 0;
  for (size_t i = 0; i + 1 < rate.size(); i += 2) {
    const std::string_view f = rate.element_str(i);
    if (f.empty() || f[0] != 't') continue;
    const int64_t sec = std::strtoll(std::string(rate.element_str(i + 1)).c_str(), nullptr, 10);
    if (sec > now_s - window && sec <= now_s) recent += GetU(rate, "n" + std::string(f.substr(1)));
  }
  const int64_t elapsed = std::max<int64_t>(1, now_s - absl::ToUnixSeconds(s.started_at));
  s.rate = static_cast<double>(recent) / static_cast<double>(std::min(window, elapsed));
  if (s.rate > 0 && s.state == JobState::kRunning) {
    s.eta = absl::Seconds(static_cast<double>(s.remaining) / s.rate);
  }
  for (size_t i = 0; i < errors.size(); ++i) {
    s.errors.push_back(ParseErrorRecord(errors.element_str(i)));
  }
  return s;
}

}  // namespace nightjar
