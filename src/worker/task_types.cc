#include "worker/task_types.h"

#include <fmt/format.h>

#include "worker/reextract_task.h"
#include "worker/schema_drift.h"
#include "worker/upstream_call.h"

namespace nightjar {
namespace {

// Does nothing per document: the queue's own cost (take, mark, ack), for benchmarks.
class NoopHandler : public TaskHandler {
 public:
  absl::StatusOr<DocumentOutcome> Process(const TaskDocument&) override {
    return DocumentOutcome{};
  }
};

// The stand-in whose effects the crash tests count. Per document it counts a "call" in the hash
// `nightjar:<ns>:calls:<job>` (an upstream call: made again when a task is redone), and commits
// a result in `nightjar:<ns>:results:<job>` by incrementing the document's field in the same
// step as its completion marker: a field above 1 would be a result committed twice.
class RecordHandler : public TaskHandler {
 public:
  explicit RecordHandler(const HandlerContext& c)
      : context_(c),
        sleep_(absl::Milliseconds(std::atoi(c.Setting("record.sleep_ms", "0").c_str()))) {}
  absl::StatusOr<DocumentOutcome> Process(const TaskDocument& d) override {
    const std::string_view job = d.job, doc = d.document;
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

// Runs a lexicon refresh per "document": the document is the path of its TOML config
// ("default" = no file). Its stages are reported as the job's stage; a failed refresh is a
// failed document with the refresh's error. Each refresh publishes nothing unless it succeeds.
class LexiconRefreshHandler : public TaskHandler {
 public:
  explicit LexiconRefreshHandler(const HandlerContext& c) : context_(c) {}
  absl::StatusOr<DocumentOutcome> Process(const TaskDocument& d) override {
    const std::string_view job = d.job, doc = d.document;
    DocumentOutcome out;
    if (context_.refresh == nullptr || !*context_.refresh) {
      out.error = "this worker cannot run refreshes";
      return out;
    }
    JobProgress progress(context_.redis, std::string(job));
    const std::string config = doc == "default" ? "" : std::string(doc);
    auto version = (*context_.refresh)(config, [&](std::string_view stage) {
      (void)progress.SetStage(stage);  // progress only: a lost update does not fail the refresh
    });
    if (!version.ok()) out.error = std::string{version.status().message()};
    return out;
  }

 private:
  HandlerContext context_;
};

}  // namespace

std::string HandlerContext::Setting(const std::string& key, const std::string& fallback) const {
  if (settings == nullptr) return fallback;
  auto it = settings->find(key);
  return it == settings->end() ? fallback : it->second;
}

std::string TaskDocument::Option(const std::string& key, const std::string& fallback) const {
  if (options == nullptr) return fallback;
  auto it = options->find(key);
  return it == options->end() ? fallback : it->second;
}

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
    // Entity re-extraction through an LLM, results in PostgreSQL (reextract_task.h).
    t.push_back(TaskType{"reextract", "reprocessing", "llm", absl::Seconds(300),
                         [](const HandlerContext& c) { return ReextractHandler::Make(c); }});
    // The daily check for documents extracted under an older schema (schema_drift.h).
    t.push_back(TaskType{"schema.drift_check", "reprocessing", "", absl::Seconds(300),
                         [](const HandlerContext& c) { return SchemaDriftHandler::Make(c); }});
    // On its own queue, so that a refresh never shares a worker's memory with re-processing.
    t.push_back(
        TaskType{"lexicon.refresh", "lexicon", "", absl::Hours(2),
                 [](const HandlerContext& c) -> absl::StatusOr<std::unique_ptr<TaskHandler>> {
                   return std::make_unique<LexiconRefreshHandler>(c);
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
