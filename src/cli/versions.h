#ifndef NIGHTJAR_CLI_VERSIONS_H_
#define NIGHTJAR_CLI_VERSIONS_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/config.h"
#include "util/clock.h"

namespace nightjar {

struct VersionsFlags {
  std::string action;             // list | show | diff | activate | rollback | prune | audit
  std::vector<std::string> args;  // show V; diff A B; activate V
  std::string to;                 // rollback --to V
  bool force = false;             // activate a rejected version
  bool dry_run = false;           // prune: report only
  bool json = false;              // machine-readable output
  size_t limit = 20;              // diff examples per section; audit entries
};

// `nightjar versions ...` against config.store_uri. Activation and rollback record the actor
// "cli@<user>" in the version status and the audit list.
[[nodiscard]] absl::Status RunVersions(const VersionsFlags& flags, const Config& config,
                                       const Clock& clock, std::FILE* out);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_VERSIONS_H_
