#ifndef NIGHTJAR_WORKER_TASK_TYPES_H_
#define NIGHTJAR_WORKER_TASK_TYPES_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "queue/job_progress.h"
#include "store/redis_client.h"

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
  const RefreshRunner* refresh = nullptr;  // for lexicon.refresh; null = not available
};

// Processes the documents of one task type on one worker slot. Thread-compatible: each slot has
// its own. An error Status (not a failed document) means the slot cannot go on with this task:
// it is handed back to the queue.
class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  [[nodiscard]] virtual absl::StatusOr<DocumentOutcome> Process(std::string_view job,
                                                                std::string_view document) = 0;
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
