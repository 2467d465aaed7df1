#ifndef NIGHTJAR_STORE_VERSION_STATE_H_
#define NIGHTJAR_STORE_VERSION_STATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nightjar {

// A version's lifecycle: building -> validated -> active -> retired, or building -> rejected.
// A retired version may become active again (rollback); a rejected one only with --force.
enum class VersionState { kBuilding, kValidated, kActive, kRetired, kRejected };

std::string_view VersionStateName(VersionState s);
// Parses a name from VersionStateName; InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<VersionState> ParseVersionState(std::string_view name);

// The mutable part of a version's record, beside its immutable manifest.
struct VersionStatus {
  std::string version;
  VersionState state = VersionState::kBuilding;
  absl::Time created_at = absl::InfinitePast();
  absl::Time activated_at = absl::InfinitePast();  // last activation; InfinitePast when never
  std::string activated_by;                        // actor of the last activation
  std::string note;                                // why it was rejected, or forced
};

// The status a builder commits a version with: kValidated or kRejected (with `note` saying
// why); InvalidArgument for any other state.
[[nodiscard]] absl::StatusOr<VersionStatus> CommittedStatus(std::string version,
                                                            absl::Time created_at,
                                                            VersionState state,
                                                            std::string_view note);

// {"state":..,"created_at":..,"activated_at":..,"activated_by":..,"note":..}; times RFC 3339.
std::string VersionStatusJson(const VersionStatus& s);
// Parses VersionStatusJson output (the version name is not part of it). DataLoss when malformed.
[[nodiscard]] absl::StatusOr<VersionStatus> ParseVersionStatus(std::string_view version,
                                                               std::string_view json);

// One activation or rollback, as kept in the audit list.
struct AuditEvent {
  absl::Time at = absl::InfinitePast();
  std::string action;    // "activate" or "rollback"
  std::string version;   // now current
  std::string previous;  // current before; empty when none
  std::string actor;
};

// {"at":..,"action":..,"version":..,"previous":..,"actor":..}
std::string AuditEventJson(const AuditEvent& e);
[[nodiscard]] absl::StatusOr<AuditEvent> ParseAuditEvent(std::string_view json);

// RFC 3339 UTC with seconds ("2026-11-23T02:15:30Z"); "" for InfinitePast.
std::string FormatUtc(absl::Time t);
// Inverse of FormatUtc ("" gives InfinitePast); InvalidArgument when malformed.
[[nodiscard]] absl::StatusOr<absl::Time> ParseUtc(std::string_view text);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_VERSION_STATE_H_
