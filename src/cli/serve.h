#ifndef NIGHTJAR_CLI_SERVE_H_
#define NIGHTJAR_CLI_SERVE_H_

#include "absl/status/status.h"
#include "cli/config.h"

namespace nightjar {

// `nightjar serve`: the lookup service on config.serve.listen over config.store_uri, until
// SIGINT or SIGTERM. Prints the bound address on stdout once it serves.
[[nodiscard]] absl::Status RunServe(const Config& config);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_SERVE_H_
