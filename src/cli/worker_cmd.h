#ifndef NIGHTJAR_CLI_WORKER_CMD_H_
#define NIGHTJAR_CLI_WORKER_CMD_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "worker/reextract_options.h"

namespace nightjar {

// `nightjar worker` flags.
struct WorkerFlags {
  std::string redis;                // --redis; "" = REDIS_URL, else redis://127.0.0.1:6379/0
  std::vector<std::string> queues;  // -Q NAME[:WEIGHT], repeatable; default reprocessing
  int concurrency = 1;              // -c
  int prefetch = 1;
  double heartbeat_s = 10, claim_after_s = 60;
  int max_deliveries = 5;
  double shutdown_deadline_s = 30;  // after SIGTERM, exit by then even if a document still runs
  std::string name;
  std::vector<std::string> sets;  // -o/--option key=value (worker.options): task types' options
  int commit_max = 64;            // documents and acks committed in one round trip at most
  double commit_window_ms = 20;   // a processed document waits at most this long to commit
  std::string metrics_listen;     // --metrics-listen host:port: /metrics and /healthz; "" = none
};

// Serves the queues until SIGTERM or SIGINT; prints the worker's stats on stdout at the end.
// `reextract` configures the reextract task type.
[[nodiscard]] absl::Status RunWorker(const WorkerFlags& flags, const ReextractOptions& reextract);

// `nightjar jobs ACTION ...`: submit TYPE, status ID, list, cancel ID, retry-failed ID,
// rate KEY (the shared limit's state), set-rate KEY RATE [--burst N] (changed for every worker).
struct JobsFlags {
  std::string redis;
  std::string action;
  std::vector<std::string> args;
  std::string docs;  // submit: a file of document ids, one per line ("-" = stdin)
  int batch_size = 50;
  std::string priority = "normal";
  bool json = false;
  bool watch = false;  // status: redraw until the job ends
  int burst = 1;       // set-rate: calls that may go at once
  // submit reextract: which documents of the `documents` table, and how their results land.
  std::string config_path;         // --config: the [reextract] settings (database, schema version)
  std::string kb;                  // --kb: the knowledge base whose documents are selected
  std::string domain = "general";  // --domain: a configured domain
  bool all = false;                // --all: every document of the KB
  bool outdated = false;           // --outdated: those below reextract.schema_version
  std::string cleanup_mode = "replace";  // --cleanup-mode replace|merge
};
[[nodiscard]] absl::Status RunJobs(const JobsFlags& flags, std::FILE* out);

// reextract's documents of `kb` from the configured database: all, or those below
// reextract.schema_version. FailedPrecondition when there are none.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> SelectReextractDocuments(
    const ReextractOptions& options, const std::string& kb, bool outdated);

// The queues' Redis: the flag, else REDIS_URL, else the local default.
std::string QueueRedisUri(const std::string& flag);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_WORKER_CMD_H_
