#ifndef NIGHTJAR_SCHEDULE_SCHEDULER_H_
#define NIGHTJAR_SCHEDULE_SCHEDULER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "schedule/schedule_store.h"
#include "store/redis_client.h"
#include "util/clock.h"

namespace nightjar {

// How a scheduler instance runs. Every field has a default.
struct SchedulerOptions {
  std::string redis_uri = "redis://127.0.0.1:6379/0";  // the schedules' and queues' Redis
  std::string id;                                      // this instance, unique; "" = host:pid
  absl::Duration tick = absl::Seconds(1);              // how often schedules are read and fired
  absl::Duration lease = absl::Seconds(15);            // the leader's lease: renewed every tick
  absl::Duration grace = absl::Hours(1);               // a missed fire time this recent runs once
  absl::Duration dedupe_ttl = absl::Hours(24 * 8);     // how long a fire time's guard is kept
  const Clock* clock = Clock::Real();                  // time for fire times and the lease
};

// What happened to one fire time of a schedule.
struct FireEvent {
  enum class Kind {
    kFired,         // its job was submitted now
    kAlreadyFired,  // another instance submitted it (its guard was set)
    kMissed,        // passed while no scheduler ran, older than the grace (or not the latest)
    kFailed,        // the submission failed (an error; retried next tick)
  };
  Kind kind;
  std::string schedule;
  absl::Time fire_time;
  std::string job;     // kFired, kAlreadyFired: the job's id
  std::string detail;  // kFailed: why; kMissed: by how much
};
std::string_view FireKindName(FireEvent::Kind k);

// What one tick did.
struct TickReport {
  bool leader = false;
  std::vector<FireEvent> events;
};

// Runs the schedules of ScheduleStore. Any number of instances may run against one Redis: a
// lease (`nightjar:<ns>:scheduler:leader`, taken with SET NX and renewed by its holder each
// tick, on `clock`'s time) elects the one that fires; every fire time is submitted at most once
// by a guard key per (schedule, fire time) set in the same script as the job
// (SubmitJobOnce), so a failover between the submit and the bookkeeping cannot fire it twice.
// Each tick reads the schedules, so a change applies at the next tick with no restart. Fire
// times missed while no scheduler ran: the latest runs once if it is within `grace`, and every
// other is reported missed. Not thread-safe; Run blocks.
class Scheduler {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Scheduler>> Open(
      const SchedulerOptions& options);

  // Takes or renews the lease; when leader, fires what is due.
  [[nodiscard]] absl::StatusOr<TickReport> Tick();
  // Gives the lease up (a clean stop), so another instance leads at once.
  [[nodiscard]] absl::Status Resign();
  // Ticks until `stop`, calling `report` after each tick; a tick that fails (Redis down) is
  // reported and retried after the next interval.
  void Run(const std::atomic<bool>& stop,
           const std::function<void(const absl::StatusOr<TickReport>&)>& report);

  const std::string& id() const { return options_.id; }

 private:
  Scheduler(SchedulerOptions options, std::unique_ptr<RedisConnection> conn);
  absl::StatusOr<bool> HoldLease();
  void FireDue(const Schedule& s, absl::Time last, TickReport& report);

  SchedulerOptions options_;
  std::unique_ptr<RedisConnection> conn_;
  std::unique_ptr<ScheduleStore> store_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_SCHEDULE_SCHEDULER_H_
