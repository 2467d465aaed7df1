#ifndef NIGHTJAR_CLI_REFRESH_H_
#define NIGHTJAR_CLI_REFRESH_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/config.h"
#include "util/clock.h"

namespace nightjar {

struct RefreshFlags {
  bool quiet = false;  // no progress on stderr
};

// What a refresh run did; also its --json summary.
struct RefreshResult {
  std::string version;       // empty when nothing was published
  std::string summary_json;  // machine-readable summary of the run
  std::string summary_text;  // the same for people
};

// Reads the corpus, counts, mines the lexicons and publishes a new version to the store.
// Fails (publishing nothing) on a bad source, on too many rejects, on an empty corpus, or on a
// store error; the current version is then left as it was.
[[nodiscard]] absl::StatusOr<RefreshResult> RunRefresh(const Config& config,
                                                       const RefreshFlags& flags,
                                                       const Clock& clock);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_REFRESH_H_
