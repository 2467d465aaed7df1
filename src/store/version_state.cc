#include "store/version_state.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

constexpr std::string_view kStateNames[] = {"building", "validated", "active", "retired",
                                            "rejected"};

// Reads an optional string field; "" when absent, error when present with another type.
bool OptionalString(simdjson::dom::element e, const char* key, std::string* out) {
  std::string_view v;
  auto field = e[key];
  if (field.error() == simdjson::NO_SUCH_FIELD) return true;
  if (field.get(v)) return false;
  *out = std::string(v);
  return true;
}

}  // namespace

std::string_view VersionStateName(VersionState s) { return kStateNames[static_cast<int>(s)]; }

absl::StatusOr<VersionState> ParseVersionState(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kStateNames[i] == name) return static_cast<VersionState>(i);
  }
  return absl::InvalidArgumentError(fmt::format("'{}' is not a version state", name));
}

std::string FormatUtc(absl::Time t) {
  if (t == absl::InfinitePast()) return "";
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseUtc(std::string_view text) {
  if (text.empty()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not an RFC 3339 time: {}", text, err));
  }
  return t;
}

absl::StatusOr<VersionStatus> CommittedStatus(std::string version, absl::Time created_at,
                                              VersionState state, std::string_view note) {
  if (state != VersionState::kValidated && state != VersionState::kRejected) {
    return absl::InvalidArgumentError("Commit: state must be validated or rejected");
  }
  VersionStatus s;
  s.version = std::move(version);
  s.state = state;
  s.created_at = created_at;
  s.note = std::string(note);
  return s;
}

std::string VersionStatusJson(const VersionStatus& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("state").String(VersionStateName(s.state));
  w.Key("created_at").String(FormatUtc(s.created_at));
  w.Key("activated_at").String(FormatUtc(s.activated_at));
  w.Key("activated_by").String(s.activated_by);
  w.Key("note").String(s.note);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<VersionStatus> ParseVersionStatus(std::string_view version, std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  VersionStatus s;
  s.version = std::string(version);
  std::string_view state;
  std::string created, activated;
  auto bad = [&] {
    return absl::DataLossError(fmt::format("status of {} is malformed: {}", version, json));
  };
  if (parser.parse(json.data(), json.size()).get(e) || e["state"].get(state) ||
      !OptionalString(e, "created_at", &created) ||
      !OptionalString(e, "activated_at", &activated) ||
      !OptionalString(e, "activated_by", &s.activated_by) || !OptionalString(e, "note", &s.note)) {
    return bad();
  }
  auto st = ParseVersionState(state);
  auto c = ParseUtc(created);
  auto a = ParseUtc(activated);
  if (!st.ok() || !c.ok() || !a.ok()) return bad();
  s.state = *st;
  s.created_at = *c;
  s.activated_at = *a;
  return s;
}

std::string AuditEventJson(const AuditEvent& e) {
  JsonWriter w;
  w.BeginObject();
  w.Key("at").String(FormatUtc(e.at));
  w.Key("action").String(e.action);
  w.Key("version").String(e.version);
  w.Key("previous").String(e.previous);
  w.Key("actor").String(e.actor);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<AuditEvent> ParseAuditEvent(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  AuditEvent ev;
  std::string at;
  if (parser.parse(json.data(), json.size()).get(e) || !OptionalString(e, "at", &at) ||
      !OptionalString(e, "action", &ev.action) || !OptionalString(e, "version", &ev.version) ||
      !OptionalString(e, "previous", &ev.previous) || !OptionalString(e, "actor", &ev.actor)) {
    return absl::DataLossError(fmt::format("malformed audit event: {}", json));
  }
  NJ_ASSIGN_OR_RETURN(ev.at, ParseUtc(at));
  return ev;
}

}  // namespace nightjar
