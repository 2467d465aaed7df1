#include "schedule/scheduler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <thread>

#include "schedule/cron.h"
#include "util/status_macros.h"
#include "worker/jobs.h"

namespace nightjar {
namespace {

// Takes the lease KEYS[1] for ARGV[1] until ARGV[2] + ARGV[3] (ms): when free, expired (its
// deadline passed) or already this instance's. The value is "<id> <deadline ms>"; the key also
// expires on the server after the lease, so a dead leader's lease vanishes either way.
constexpr char kLeaseScript[] = R"lua(
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('GET', KEYS[1])
if v then
  local holder, deadline = string.match(v, '^(.*) (%d+)$')
  if holder ~= ARGV[1] and tonumber(deadline) > now then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. string.format('%d', now + ttl), 'PX', ttl * 4)
return 1
)lua";

// Gives the lease up if this instance holds it.
constexpr char kResignScript[] = R"lua(
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then redis.call('DEL', KEYS[1]) end
return 1
)lua";

std::string DefaultId() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}", host, ::getpid());
}

}  // namespace

std::string_view FireKindName(FireEvent::Kind k) {
  switch (k) {
    case FireEvent::Kind::kFired:
      return "fired";
    case FireEvent::Kind::kAlreadyFired:
      return "already_fired";
    case FireEvent::Kind::kMissed:
      return "missed";
    case FireEvent::Kind::kFailed:
      return "failed";
  }
  return "failed";
}

Scheduler::Scheduler(SchedulerOptions options, std::unique_ptr<RedisConnection> conn)
    : options_(std::move(options)),
      conn_(std::move(conn)),
      store_(std::make_unique<ScheduleStore>(conn_.get(), options_.clock)) {}

absl::StatusOr<std::unique_ptr<Scheduler>> Scheduler::Open(const SchedulerOptions& options) {
  if (options.tick <= absl::ZeroDuration() || options.lease < 2 * options.tick) {
    return absl::InvalidArgumentError(
        "scheduler: the lease must be at least two ticks, or a live leader loses it");
  }
  NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(options.redis_uri));
  NJ_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint));
  SchedulerOptions o = options;
  if (o.id.empty()) o.id = DefaultId();
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(o), std::move(conn)));
}

absl::StatusOr<bool> Scheduler::HoldLease() {
  NJ_ASSIGN_OR_RETURN(
      RedisReply r,
      conn_->Command({"EVAL", kLeaseScript, "1", store_->Key("scheduler:leader"), options_.id,
                      std::to_string(absl::ToUnixMillis(options_.clock->Now())),
                      std::to_string(absl::ToInt64Milliseconds(options_.lease))}));
  return r.integer() == 1;
}

absl::Status Scheduler::Resign() {
  return conn_->Command({"EVAL", kResignScript, "1", store_->Key("scheduler:leader"), options_.id})
      .status();
}

absl::StatusOr<TickReport> Scheduler::Tick() {
  if (conn_->broken()) {
    NJ_ASSIGN_OR_RETURN(conn_, RedisConnection::Connect(conn_->endpoint()));
    store_ = std::make_unique<ScheduleStore>(conn_.get(), options_.clock);
  }
  TickReport report;
  NJ_ASSIGN_OR_RETURN(report.leader, HoldLease());
  if (!report.leader) return report;
  NJ_ASSIGN_OR_RETURN(std::vector<Schedule> schedules, store_->List());
  NJ_ASSIGN_OR_RETURN(auto last, store_->LastFired());
  for (const Schedule& s : schedules) {
    if (!s.enabled) continue;
    auto it = last.find(s.name);
    // Never before the schedule was last set: a change does not backfill the old times.
    const absl::Time from = it == last.end() ? s.updated_at : std::max(it->second, s.updated_at);
    FireDue(s, from, report);
  }
  return report;
}

void Scheduler::FireDue(const Schedule& s, absl::Time from, TickReport& report) {
  auto fail = [&](absl::Time t, const absl::Status& st) {
    report.events.push_back(
        FireEvent{FireEvent::Kind::kFailed, s.name, t, "", std::string{st.message()}});
  };
  auto cron = CronExpression::Parse(s.cron);
  auto zone = LoadZone(s.zone);
  if (!cron.ok() || !zone.ok()) {
    fail(from, !cron.ok() ? cron.status() : zone.status());
    return;
  }
  const absl::Time now = options_.clock->Now();
  std::vector<absl::Time> due;
  for (auto t = cron->Next(from, *zone); t && *t <= now; t = cron->Next(*t, *zone)) {
    due.push_back(*t);
    if (due.size() > 10000) due.erase(due.begin());  // a very long outage: keep the latest
  }
  if (due.empty()) return;
  const absl::Time latest = due.back();
  for (size_t i = 0; i + 1 < due.size(); ++i) {
    report.events.push_back(
        FireEvent{FireEvent::Kind::kMissed, s.name, due[i], "", "a later fire time is due too"});
  }
  if (now - latest > options_.grace) {
    report.events.push_back(FireEvent{
        FireEvent::Kind::kMissed, s.name, latest, "",
        fmt::format("{:.0f}s late, past the grace of {:.0f}s", absl::ToDoubleSeconds(now - latest),
                    absl::ToDoubleSeconds(options_.grace))});
  } else {
    SubmitOptions o;
    o.type = s.task;
    o.docs = s.args.empty() ? std::vector<std::string>{"default"} : s.args;
    o.clock = options_.clock;
    const std::string guard =
        store_->Key(fmt::format("schedule:fired:{}:{}", s.name, absl::ToUnixMillis(latest)));
    auto submitted = SubmitJobOnce(conn_.get(), o, guard, options_.dedupe_ttl);
    if (!submitted.ok()) {
      fail(latest, submitted.status());
      return;  // last is not advanced: the next tick tries again
    }
    if (submitted->has_value()) {
      report.events.push_back(
          FireEvent{FireEvent::Kind::kFired, s.name, latest, (*submitted)->job, ""});
    } else {
      auto job = conn_->Command({"GET", guard});
      report.events.push_back(FireEvent{FireEvent::Kind::kAlreadyFired, s.name, latest,
                                        job.ok() ? std::string(job->str()) : "", ""});
    }
  }
  if (absl::Status st = store_->SetLastFired(s.name, latest); !st.ok()) fail(latest, st);
}

void Scheduler::Run(const std::atomic<bool>& stop,
                    const std::function<void(const absl::StatusOr<TickReport>&)>& report) {
  while (!stop.load()) {
    report(Tick());
    // Sleeps a tick in short steps, so a stop is seen promptly.
    const absl::Time until = absl::Now() + options_.tick;
    while (!stop.load() && absl::Now() < until) {
      absl::SleepFor(std::min(absl::Milliseconds(100), until - absl::Now()));
    }
  }
  (void)Resign();
}

}  // namespace nightjar
