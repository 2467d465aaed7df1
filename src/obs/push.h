#ifndef NIGHTJAR_OBS_PUSH_H_
#define NIGHTJAR_OBS_PUSH_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace nightjar {

// Pushes `text` (Prometheus text format) to a Pushgateway at `url` (http://host:port) as the
// group of `job`, with no `instance` label (a batch job's convention). POST: only the metrics of
// the names pushed are replaced, so a metric pushed only on success (a last-success timestamp)
// survives a failed run's push. Unavailable when the gateway cannot be reached or refuses.
[[nodiscard]] absl::Status PushToGateway(const std::string& url, std::string_view job,
                                         const std::string& text);

// Writes `text` to `path` for node-exporter's textfile collector: atomically (a temp file beside
// it, fsync, rename), so the collector never reads half a file. `path` should end in ".prom".
[[nodiscard]] absl::Status WriteTextfile(const std::string& path, const std::string& text);

}  // namespace nightjar

#endif  // NIGHTJAR_OBS_PUSH_H_
