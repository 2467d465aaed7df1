#include "schedule/schedule_store.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "absl/strings/ascii.h"
#include "schedule/cron.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "worker/task_types.h"

namespace nightjar {
namespace {

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status Validate(const Schedule& s) {
  if (!IsName(s.name)) {
    return absl::InvalidArgumentError(
        fmt::format("schedule name '{}': letters, digits, '.', '_' and '-' only", s.name));
  }
  NJ_RETURN_IF_ERROR(CronExpression::Parse(s.cron).status());
  NJ_RETURN_IF_ERROR(LoadZone(s.zone).status());
  if (FindTaskType(s.task) == nullptr) {
    std::vector<std::string> names;
    for (const TaskType& t : TaskTypes()) names.push_back(t.name);
    return absl::InvalidArgumentError(fmt::format("schedule {}: unknown task type '{}' (known: {})",
                                                  s.name, s.task, fmt::join(names, ", ")));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeSchedule(const Schedule& s) {
  JsonWriter w;
  w.BeginObject().Key("name").String(s.name).Key("cron").String(s.cron).Key("zone").String(s.zone);
  w.Key("task").String(s.task).Key("args").BeginArray();
  for (const std::string& a : s.args) w.String(a);
  w.EndArray().Key("enabled").Bool(s.enabled);
  w.Key("updated_at").Int(absl::ToUnixMillis(s.updated_at)).EndObject();
  return w.Take();
}

absl::StatusOr<Schedule> ParseSchedule(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(json);
  auto bad = [] { return absl::DataLossError("schedule record: not the expected JSON"); };
  if (parser.parse(padded).get(root)) return bad();
  Schedule s;
  std::string_view v;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"name", &s.name},
                          {"cron", &s.cron},
                          {"zone", &s.zone},
                          {"task", &s.task}}) {
    if (root[key].get_string().get(v)) return bad();
    *out = std::string(v);
  }
  simdjson::dom::array args;
  if (root["args"].get_array().get(args)) return bad();
  for (simdjson::dom::element a : args) {
    if (a.get_string().get(v)) return bad();
    s.args.emplace_back(v);
  }
  if (root["enabled"].get_bool().get(s.enabled)) return bad();
  int64_t ms = 0;
  if (root["updated_at"].get_int64().get(ms)) return bad();
  s.updated_at = absl::FromUnixMillis(ms);
  return s;
}

ScheduleStore::ScheduleStore(RedisConnection* conn, const Clock* clock)
    : conn_(conn), clock_(clock) {}

std::string ScheduleStore::Key(std::string_view part) const {
  return fmt::format("nightjar:{}:{}", conn_->endpoint().ns, part);
}

absl::Status ScheduleStore::Put(Schedule s) {
  NJ_RETURN_IF_ERROR(Validate(s));
  s.updated_at = clock_->Now();
  return conn_->Command({"HSET", Key("schedules"), s.name, EncodeSchedule(s)}).status();
}

absl::StatusOr<Schedule> ScheduleStore::Get(const std::string& name) {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"HGET", Key("schedules"), name}));
  if (r.is_nil()) return absl::NotFoundError(fmt::format("no schedule named '{}'", name));
  return ParseSchedule(r.str());
}

absl::StatusOr<std::vector<Schedule>> ScheduleStore::List() {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"HGETALL", Key("schedules")}));
  std::vector<Schedule> out;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    auto s = ParseSchedule(r.element_str(i + 1));
    if (!s.ok()) {
      return absl::DataLossError(
          fmt::format("schedule '{}': {}", r.element_str(i), std::string{s.status().message()}));
    }
    out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(),
            [](const Schedule& a, const Schedule& b) { return a.name < b.name; });
  return out;
}

absl::Status ScheduleStore::SetEnabled(const std::string& name, bool enabled) {
  NJ_ASSIGN_OR_RETURN(Schedule s, Get(name));
  s.enabled = enabled;
  // Enabling again starts from now: the fire times it was off for are not backfilled.
  s.updated_at = clock_->Now();
  return conn_->Command({"HSET", Key("schedules"), s.name, EncodeSchedule(s)}).status();
}

absl::Status ScheduleStore::Remove(const std::string& name) {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"HDEL", Key("schedules"), name}));
  if (r.integer() == 0) return absl::NotFoundError(fmt::format("no schedule named '{}'", name));
  return conn_->Command({"HDEL", Key("schedule:last"), name}).status();
}

absl::StatusOr<std::map<std::string, absl::Time>> ScheduleStore::LastFired() {
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"HGETALL", Key("schedule:last")}));
  std::map<std::string, absl::Time> out;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    out[std::string(r.element_str(i))] =
        absl::FromUnixMillis(std::strtoll(std::string(r.element_str(i + 1)).c_str(), nullptr, 10));
  }
  return out;
}

absl::Status ScheduleStore::SetLastFired(const std::string& name, absl::Time t) {
  return conn_->Command({"HSET", Key("schedule:last"), name, std::to_string(absl::ToUnixMillis(t))})
      .status();
}

}  // namespace nightjar
