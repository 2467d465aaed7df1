#include "worker/task_types.h"

#include <fmt/format.h>

#include "worker/upstream_call.h"

namespace nightjar {
namespace {

// Does nothing per document: the queue's own cost (take, mark, ack), for benchmarks.
class NoopHandler : public TaskHandler {
 public:
  absl::StatusOr<DocumentOutcome> Process(std::string_view, std::string_view) override {
    return DocumentOutcome{};
  }
};

// The stand-in whose effects the crash tests count. Per document it counts a "call" in the hash
// `nightjar:<ns>:calls:<job>` (an upstream call: made again when a task is redone), and commits
// a result in `nightjar:<ns>:results:<job>` by incrementing the document's field in the same
// step as its completion marker: a field above 1 would be a result committed twice.
class RecordHandler : public TaskHandler {
 public:
  explicit RecordHandler(const HandlerContext& c) : context_(c) {
    if (c.settings != nullptr) {
      if (auto it = c.settings->find("record.sleep_ms"); it != c.settings->end()) {
        sleep_ = absl::Milliseconds(std::atoi(it->second.c_str()));
      }
    }
  }
  absl::StatusOr<DocumentOutcome> Process(std::string_view job, std::string_view doc) override {
    const std::string& ns = context_.redis->endpoint().ns;
    absl::SleepFor(sleep_);  // `record.sleep_ms`: a slow document, for the soft-limit test
    auto call = context_.redis->Command(
        {"HINCRBY", fmt::format("nightjar:{}:calls:{}", ns, job), doc, "1"});
    if (!call.ok()) return call.status();
    DocumentOutcome out;
    out.result = RedisResult{fmt::format("nightjar:{}:results:{}", ns, job), std::string(doc), "1",
                             /*increment=*/true};
    return out;
  }

 private:
  HandlerContext context_;
  absl::Duration sleep_;
};

}  // namespace

const std::vector<TaskType>& TaskTypes() {
  static const std::vector<TaskType> types = [] {
    std::vector<TaskType> t;
    t.push_back(TaskType{"noop", "reprocessing", "", absl::Seconds(300),
                         [](const HandlerContext&) -> absl::StatusOr<std::unique_ptr<TaskHandler>> {
                           return std::make_unique<NoopHandler>();
                         }});
    t.push_back(
        TaskType{"record", "reprocessing", "", absl::Seconds(300),
                 [](const HandlerContext& c) -> absl::StatusOr<std::unique_ptr<TaskHandler>> {
                   return std::make_unique<RecordHandler>(c);
                 }});
    t.push_back(
        TaskType{"upstream", "reprocessing", "upstream", absl::Seconds(300),
                 [](const HandlerContext& c) -> absl::StatusOr<std::unique_ptr<TaskHandler>> {
                   return UpstreamCallHandler::Make(c, "upstream");
                 }});
    return t;
  }();
  return types;
}

const TaskType* FindTaskType(std::string_view name) {
  for (const TaskType& t : TaskTypes()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace nightjar
