#ifndef NIGHTJAR_CLI_REFRESH_H_
#define NIGHTJAR_CLI_REFRESH_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/config.h"
#include "util/clock.h"

namespace nightjar {

struct RefreshFlags {
  bool quiet = false;        // no progress on stderr
  bool force = false;        // activate even when validation gates fail (recorded in the manifest)
  bool no_activate = false;  // stop at `validated`; activate later with `versions activate`
};

// What a refresh run did; also its --json summary.
struct RefreshResult {
  std::string version;       // the version activated (or validated with no_activate)
  std::string summary_json;  // machine-readable summary of the run
  std::string summary_text;  // the same for people
};

// Reads the corpus, counts, mines the lexicons, writes a new version to the store, validates it
// against the gates and the active version, activates it and prunes versions past retention.
// Fails (activating nothing) on a bad source, on too many rejects, on an empty corpus, on a
// failed gate (the version is kept as `rejected`; the error names the gate) or on a store
// error; the current version is then left as it was.
[[nodiscard]] absl::StatusOr<RefreshResult> RunRefresh(const Config& config,
                                                       const RefreshFlags& flags,
                                                       const Clock& clock);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_REFRESH_H_
