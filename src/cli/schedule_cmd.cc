#include "cli/schedule_cmd.h"

#include <fmt/format.h>

#include <atomic>
#include <csignal>

#include "cli/worker_cmd.h"
#include "obs/metrics.h"
#include "obs/metrics_server.h"
#include "schedule/cron.h"
#include "schedule/schedule_store.h"
#include "schedule/scheduler.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {
namespace {

std::atomic<bool> g_stop{false};

void OnStop(int) { g_stop.store(true); }

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// One line per schedule: name, state, cron and zone, task and args, the next fire time.
std::string Line(const Schedule& s, bool json) {
  auto cron = CronExpression::Parse(s.cron);
  auto zone = LoadZone(s.zone);
  std::optional<absl::Time> next;
  if (cron.ok() && zone.ok() && s.enabled) next = cron->Next(absl::Now(), *zone);
  if (json) {
    JsonWriter w;
    w.BeginObject().Key("name").String(s.name).Key("cron").String(s.cron).Key("zone").String(
        s.zone);
    w.Key("task").String(s.task).Key("args").BeginArray();
    for (const std::string& a : s.args) w.String(a);
    w.EndArray().Key("enabled").Bool(s.enabled).Key("next");
    next ? w.String(Rfc3339(*next)) : w.Null();
    w.EndObject();
    return w.Take();
  }
  return fmt::format("{:<24} {:<8} {:<20} {:<18} {} {}  next: {}", s.name,
                     s.enabled ? "enabled" : "disabled", s.cron, s.zone, s.task,
                     fmt::join(s.args, " "), next ? Rfc3339(*next) : "-");
}

}  // namespace

absl::Status RunSchedule(const ScheduleFlags& f, std::FILE* out) {
  NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(QueueRedisUri(f.redis)));
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> conn, RedisConnection::Connect(endpoint));
  ScheduleStore store(conn.get());
  if (f.action == "set") {
    if (f.args.size() < 3) {
      return absl::InvalidArgumentError(
          "schedule set: expected NAME \"CRON\" [--tz ZONE] -- TASK [ARGS...]");
    }
    Schedule s;
    s.name = f.args[0];
    s.cron = f.args[1];
    s.zone = f.zone;
    s.task = f.args[2];
    s.args.assign(f.args.begin() + 3, f.args.end());
    s.enabled = !f.disabled;
    NJ_RETURN_IF_ERROR(store.Put(s));
    NJ_ASSIGN_OR_RETURN(Schedule saved, store.Get(s.name));
    std::fprintf(out, "%s\n", Line(saved, f.json).c_str());
    return absl::OkStatus();
  }
  if (f.action == "list") {
    NJ_ASSIGN_OR_RETURN(std::vector<Schedule> all, store.List());
    for (const Schedule& s : all) std::fprintf(out, "%s\n", Line(s, f.json).c_str());
    return absl::OkStatus();
  }
  if (f.action == "enable" || f.action == "disable" || f.action == "rm") {
    if (f.args.size() != 1) {
      return absl::InvalidArgumentError(fmt::format("schedule {}: expected NAME", f.action));
    }
    if (f.action == "rm") {
      NJ_RETURN_IF_ERROR(store.Remove(f.args[0]));
      std::fprintf(out, "removed %s\n", f.args[0].c_str());
      return absl::OkStatus();
    }
    NJ_RETURN_IF_ERROR(store.SetEnabled(f.args[0], f.action == "enable"));
    NJ_ASSIGN_OR_RETURN(Schedule s, store.Get(f.args[0]));
    std::fprintf(out, "%s\n", Line(s, f.json).c_str());
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      fmt::format("schedule: unknown action '{}' (set, list, enable, disable, rm)", f.action));
}

absl::Status RunScheduler(const SchedulerFlags& f, std::FILE* out) {
  SchedulerOptions o;
  o.redis_uri = QueueRedisUri(f.redis);
  o.id = f.id;
  o.tick = absl::Seconds(f.tick_s);
  o.lease = absl::Seconds(f.lease_s);
  o.grace = absl::Seconds(f.grace_s);
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<Scheduler> scheduler, Scheduler::Open(o));
  MetricsRegistry metrics;
  Gauge& leader = metrics.GetGauge("nightjar_scheduler_leader",
                                   "1 while this instance leads (fires the schedules)");
  Gauge& last_tick = metrics.GetGauge("nightjar_scheduler_last_tick_timestamp_seconds",
                                      "When this instance last ticked successfully");
  Counter& tick_errors =
      metrics.GetCounter("nightjar_scheduler_tick_errors_total", "Ticks that failed (Redis)");
  auto fires = [&](FireEvent::Kind k) -> Counter& {
    return metrics.GetCounter("nightjar_scheduler_fires_total", "Fire times by what became of them",
                              fmt::format(R"(outcome="{}")", FireKindName(k)));
  };
  for (auto k : {FireEvent::Kind::kFired, FireEvent::Kind::kAlreadyFired, FireEvent::Kind::kMissed,
                 FireEvent::Kind::kFailed}) {
    fires(k);  // every outcome present from the start, at 0
  }
  std::unique_ptr<MetricsServer> server;
  if (!f.metrics_listen.empty()) {
    NJ_ASSIGN_OR_RETURN(server, MetricsServer::Start(f.metrics_listen, "--metrics-listen",
                                                     [&metrics] { return metrics.Render(); }));
    std::fprintf(stderr, "nightjar scheduler: metrics on port %d\n", server->port());
  }
  std::signal(SIGTERM, OnStop);
  std::signal(SIGINT, OnStop);
  std::fprintf(stderr, "nightjar scheduler %s: on %s, tick %gs, lease %gs, grace %gs\n",
               scheduler->id().c_str(), RedactUri(o.redis_uri).c_str(), f.tick_s, f.lease_s,
               f.grace_s);
  bool leading = false;
  scheduler->Run(g_stop, [&](const absl::StatusOr<TickReport>& r) {
    if (!r.ok()) {
      tick_errors.Add();
      std::fprintf(stderr, "nightjar scheduler: tick failed: %s\n",
                   std::string{r.status().message()}.c_str());
      return;
    }
    leader.Set(r->leader ? 1 : 0);
    last_tick.Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
    if (r->leader != leading) {
      leading = r->leader;
      std::fprintf(stderr, "nightjar scheduler %s: %s\n", scheduler->id().c_str(),
                   leading ? "leading" : "standing by (another instance leads)");
    }
    for (const FireEvent& e : r->events) {
      fires(e.kind).Add();
      JsonWriter w;
      w.BeginObject().Key("event").String(FireKindName(e.kind)).Key("schedule").String(e.schedule);
      w.Key("fire_time").String(Rfc3339(e.fire_time)).Key("job").String(e.job);
      w.Key("detail").String(e.detail).EndObject();
      std::fprintf(out, "%s\n", w.str().c_str());
      std::fflush(out);
    }
  });
  return absl::OkStatus();
}

}  // namespace nightjar
