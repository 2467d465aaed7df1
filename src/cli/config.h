#ifndef NIGHTJAR_CLI_CONFIG_H_
#define NIGHTJAR_CLI_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "cli/worker_cmd.h"
#include "refresh/refresh_options.h"
#include "serve/lookup_server.h"
#include "worker/reextract_options.h"

namespace nightjar {

// Everything a run is configured by: the refresh's options (RefreshOptions, whose fields are
// the [corpus] [text] [count] ... [retention] keys) and the service's. Every field has a
// default; docs/configuration.md lists the TOML key, environment variable and flag of each.
// How a refresh run is retried and reported ([refresh] and [metrics]).
struct RunOptions {
  int max_attempts = 1;         // refresh.max_attempts: runs tried; a failed gate is not retried
  double retry_backoff_s = 30;  // refresh.retry_backoff_s: the first wait, doubled each retry
  std::string pushgateway;      // metrics.pushgateway: http://host:port; "" = no push
  std::string textfile;         // metrics.textfile: a .prom file for node-exporter; "" = none
  std::string job = "nightjar_refresh";  // metrics.job: the Pushgateway group's job label
};

struct Config : RefreshOptions {
  ServeOptions serve;          // [serve]
  WorkerFlags worker;          // [worker]: `nightjar worker`'s settings
  ReextractOptions reextract;  // [reextract]: the reextract task's database and LLM
  RunOptions run;              // [refresh] retries, [metrics] push
};

// Builds a Config from, in rising precedence: defaults, the TOML file at `toml_path` (skipped
// when empty), environment variables (NIGHTJAR_<SECTION>_<KEY>, e.g. NIGHTJAR_CORPUS_URI), and
// `overrides` (dotted key -> value text, from flags). Any bad value fails with InvalidArgument
// naming the key and where it came from; unknown TOML keys and unknown NIGHTJAR_* variables are
// errors too, except NIGHTJAR_CONFIG (the file's path), NIGHTJAR_BUILD_DIR (the scripts') and
// NIGHTJAR_TEST_* (the test suite's).
[[nodiscard]] absl::StatusOr<Config> LoadConfig(
    const std::string& toml_path, const std::map<std::string, std::string>& env,
    const std::map<std::string, std::string>& overrides);

// A memory size as whole MiB: a number of MiB, or one with a unit (M/MB/MiB, G/GB/GiB; any
// case; M and G are taken as binary units). InvalidArgument naming `what` otherwise.
[[nodiscard]] absl::StatusOr<int64_t> ParseSizeMib(std::string_view text, std::string_view what);

// The process environment as a map (only NIGHTJAR_* and the service URL variables).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_CONFIG_H_
