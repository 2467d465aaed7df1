#ifndef NIGHTJAR_SCHEDULE_SCHEDULE_STORE_H_
#define NIGHTJAR_SCHEDULE_SCHEDULE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/redis_client.h"
#include "util/clock.h"

namespace nightjar {

// A named schedule: when (a cron expression in an IANA zone) to submit which job.
struct Schedule {
  std::string name;               // [A-Za-z0-9._-]+
  std::string cron;               // as CronExpression::Parse takes it
  std::string zone = "UTC";       // IANA
  std::string task;               // a registered task type
  std::vector<std::string> args;  // the job's documents; none = one, "default"
  bool enabled = true;
  absl::Time updated_at;  // set by Put; fire times before it are never backfilled
};

// The schedules in Redis: `nightjar:<ns>:schedules` (a hash, name -> the record's JSON, this
// file its one writer and reader) and `nightjar:<ns>:schedule:last` (name -> the last fire time
// handled, ms). Changes are seen by every scheduler at its next tick. Not thread-safe (the
// caller's connection).
class ScheduleStore {
 public:
  // `conn` must outlive the store.
  explicit ScheduleStore(RedisConnection* conn, const Clock* clock = Clock::Real());

  // Creates or replaces `s` (its updated_at set now). InvalidArgument naming what is wrong: the
  // name, the cron expression, the zone, or a task type that is not registered.
  [[nodiscard]] absl::Status Put(Schedule s);
  // NotFound for an unknown name.
  [[nodiscard]] absl::StatusOr<Schedule> Get(const std::string& name);
  [[nodiscard]] absl::StatusOr<std::vector<Schedule>> List();
  [[nodiscard]] absl::Status SetEnabled(const std::string& name, bool enabled);
  [[nodiscard]] absl::Status Remove(const std::string& name);

  // The last fire time handled per schedule.
  [[nodiscard]] absl::StatusOr<std::map<std::string, absl::Time>> LastFired();
  [[nodiscard]] absl::Status SetLastFired(const std::string& name, absl::Time t);

  std::string Key(std::string_view part) const;

 private:
  RedisConnection* conn_;
  const Clock* clock_;
};

std::string EncodeSchedule(const Schedule& s);
[[nodiscard]] absl::StatusOr<Schedule> ParseSchedule(std::string_view json);

}  // namespace nightjar

#endif  // NIGHTJAR_SCHEDULE_SCHEDULE_STORE_H_
