#include "queue/job_progress.h"

#include <fmt/format.h>

#include <cstdlib>

#include "util/status_macros.h"

namespace nightjar {
namespace {

// KEYS: job, rate, errors, done[, result hash]. ARGV: ordinal, now (ms), window (s), failed
// ("1"/"0"), error record, keep (s)[, result field, result value]. Returns -1 for no such job, 0
// when the document was marked already, 1 when counted now.
constexpr char kMarkScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SETBIT', KEYS[4], ARGV[1], 1) == 1 then return 0 end
if KEYS[5] then redis.call(ARGV[9] == '1' and 'HINCRBY' or 'HSET', KEYS[5], ARGV[7], ARGV[8]) end
redis.call('HINCRBY', KEYS[1], ARGV[4] == '1' and 'failed' or 'completed', 1)
redis.call('HSET', KEYS[1], 'last_update', ARGV[2])
local sec = math.floor(tonumber(ARGV[2]) / 1000)
local slot = sec % tonumber(ARGV[3])
if tonumber(redis.call('HGET', KEYS[2], 't' .. slot) or '-1') == sec then
  redis.call('HINCRBY', KEYS[2], 'n' .. slot, 1)
else
  redis.call('HSET', KEYS[2], 't' .. slot, string.format('%d', sec), 'n' .. slot, 1)
end
if ARGV[4] == '1' then
  redis.call('LPUSH', KEYS[3], ARGV[5])
  redis.call('LTRIM', KEYS[3], 0, 9)
end
local h = redis.call('HMGET', KEYS[1], 'total', 'completed', 'failed', 'state')
if h[4] == 'running' and tonumber(h[2] or '0') + tonumber(h[3] or '0') >= tonumber(h[1]) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'ended_at', ARGV[2])
  for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
end
return 1
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

JobState ParseState(std::string_view s) {
  if (s == "done") return JobState::kDone;
  if (s == "cancelled") return JobState::kCancelled;
  return JobState::kRunning;
}

}  // namespace

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
  const std::string now = std::to_string(absl::ToUnixMillis(options_.clock->Now()));
  NJ_ASSIGN_OR_RETURN(RedisReply created, conn_->Command({"HSETNX", Key(), "type", type}));
  if (created.integer() == 0) {
    return absl::AlreadyExistsError(fmt::format("job {} exists already", job_));
  }
  conn_->Append({"HSET", Key(), "state", total == 0 ? "done" : "running", "total",
                 std::to_string(total), "completed", "0", "failed", "0", "started_at", now,
                 "last_update", now});
  conn_->Append({"ZADD", fmt::format("nightjar:{}:jobs", conn_->endpoint().ns), now, job_});
  return conn_->Sync();
}

absl::StatusOr<bool> JobProgress::IsDone(uint64_t ordinal) {
  NJ_ASSIGN_OR_RETURN(RedisReply r,
                      conn_->Command({"GETBIT", Key("done"), std::to_string(ordinal)}));
  return r.integer() == 1;
}

absl::StatusOr<bool> JobProgress::MarkDone(uint64_t ordinal, std::string_view document,
                                           const std::optional<std::string>& error,
                                           const std::optional<RedisResult>& result) {
  const absl::Time now = options_.clock->Now();
  const std::string record = error ? ErrorRecord(now, document, *error) : "";
  const std::string job = Key(), rate = Key("rate"), errors = Key("errors"), done = Key("done");
  const std::string ord = std::to_string(ordinal), ms = std::to_string(absl::ToUnixMillis(now));
  const std::string window = std::to_string(absl::ToInt64Seconds(options_.window));
  const std::string keep = std::to_string(absl::ToInt64Seconds(options_.keep));
  std::vector<std::string_view> argv = {"EVAL", kMarkScript, result ? "5" : "4", job, rate,
                                        errors, done};
  if (result) argv.push_back(result->key);
  const std::string_view failed = error ? "1" : "0";
  for (const std::string_view a :
       {std::string_view{ord}, std::string_view{ms}, std::string_view{window}, failed,
        std::string_view{record}, std::string_view{keep}}) {
    argv.push_back(a);
  }
  if (result) {
    argv.push_back(result->field);
    argv.push_back(result->value);
    argv.push_back(result->increment ? "1" : "0");
  }
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command(argv));
  if (r.integer() < 0) return absl::NotFoundError(fmt::format("job {} not found", job_));
  return r.integer() == 1;
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
  return ParseState(r.str());
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
  s.state = ParseState(Get(job, "state"));
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
