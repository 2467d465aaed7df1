#ifndef NIGHTJAR_WORKER_TASK_TYPES_H_
#define NIGHTJAR_WORKER_TASK_TYPES_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "queue/job_progress.h"
#include "store/redis_client.h"
#include "worker/reextract_options.h"

namespace nightjar {

// What processing one document came to.
struct DocumentOutcome {
  std::optional<std::string> error;   // the document failed, with this message
  std::optional<RedisResult> result;  // written with its completion marker, exactly once
};

// Runs one lexicon refresh with the TOML config at `config` ("" = defaults and the
// environment), telling `on_stage` each stage as it begins; returns the version it published.
// The CLI provides it (config loading lives there); a worker without it cannot run refreshes.
using RefreshRunner = std::function<absl::StatusOr<std::string>(
    const std::string& config, const std::function<void(std::string_view stage)>& on_stage)>;

// What a handler may use. Everything outlives the handler.
struct HandlerContext {
  RedisConnection* redis = nullptr;                              // the worker slot's own connection
  std::string consumer;                                          // the slot's consumer name
  const std::map<std::string, std::string>* settings = nullptr;  // the worker's --option key=value
  const RefreshRunner* refresh = nullptr;       // for lexicon.refresh; null = not available
  const ReextractOptions* reextract = nullptr;  // for reextract ([reextract]); null = defaults

  // The worker option `key`, or `fallback` when it is not set.
  std::string Setting(const std::string& key, const std::string& fallback) const;
};

// One document of a task, as a handler sees it.
struct TaskDocument {
  std::string_view job;       // the job's id
  std::string_view document;  // the document's id
  uint64_t ordinal = 0;       // its position in the job (names its completion marker)
  const std::map<std::string, std::string>* options = nullptr;  // the job's options (never null)

  // The job option `key`, or `fallback` when the job has none.
  std::string Option(const std::string& key, const std::string& fallback) const;
};

// Processes the documents of one task type on one worker slot. Thread-compatible: each slot has
// its own. An error Status (not a failed document) means the slot cannot go on with this task:
// it is handed back to the queue.
class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  [[nodiscard]] virtual absl::StatusOr<DocumentOutcome> Process(const TaskDocument& doc) = 0;
  // Named counts over the handler's life (calls made, time spent), summed over a worker's slots
  // into its stats; none by default.
  virtual std::vector<std::pair<std::string, uint64_t>> Counters() const { return {}; }
};

// A named task type: its queue, the rate-limit key of its upstream, its soft time limit per
// document, and how a slot makes its handler.
struct TaskType {
  std::string name;
  std::string queue;
  std::string rate_limit_key;  // "" = calls no rate-limited upstream
  absl::Duration soft_time_limit = absl::Seconds(300);
  std::function<absl::StatusOr<std::unique_ptr<TaskHandler>>(const HandlerContext&)> make;
};

// Every task type, registered in one place (task_types.cc).
const std::vector<TaskType>& TaskTypes();
// nullptr when `name` is not registered.
const TaskType* FindTaskType(std::string_view name);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_TASK_TYPES_H_
