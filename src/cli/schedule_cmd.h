#ifndef NIGHTJAR_CLI_SCHEDULE_CMD_H_
#define NIGHTJAR_CLI_SCHEDULE_CMD_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nightjar {

// `nightjar schedule ACTION ...`: set NAME CRON [--tz ZONE] [--disabled] -- TASK ARGS...,
// list [--json], enable NAME, disable NAME, rm NAME.
struct ScheduleFlags {
  std::string redis;  // "" = REDIS_URL, else redis://127.0.0.1:6379/0
  std::string action;
  std::vector<std::string> args;  // set: NAME CRON TASK ARGS...; others: NAME
  std::string zone = "UTC";
  bool disabled = false;
  bool json = false;
};
[[nodiscard]] absl::Status RunSchedule(const ScheduleFlags& flags, std::FILE* out);

// `nightjar scheduler`: runs the schedules until SIGTERM or SIGINT, one JSON line per fire
// event on stdout (fired, already_fired, missed, failed) and leadership changes on stderr.
struct SchedulerFlags {
  std::string redis;
  std::string id;              // "" = host:pid
  double tick_s = 1;           // how often it reads the schedules and fires
  double lease_s = 15;         // the leader's lease
  double grace_s = 3600;       // a missed fire time this recent runs once on recovery
  std::string metrics_listen;  // host:port for /metrics and /healthz; "" = none
};
[[nodiscard]] absl::Status RunScheduler(const SchedulerFlags& flags, std::FILE* out);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_SCHEDULE_CMD_H_
