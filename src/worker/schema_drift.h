#ifndef NIGHTJAR_WORKER_SCHEMA_DRIFT_H_
#define NIGHTJAR_WORKER_SCHEMA_DRIFT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/http_client.h"
#include "worker/reextract_store.h"
#include "worker/task_types.h"

namespace nightjar {

// The `schema.drift_check` task type (the original design's check-schema-drift, daily on the
// reprocessing queue): each "document" is a knowledge base (or `all`: every KB of the
// documents table). It counts the KB's documents whose extraction_version is below
// reextract.schema_version and records the count in Redis (`nightjar:<ns>:schema_drift`, kb ->
// count, shown on the worker's /metrics as nightjar_schema_drift_outdated_documents). Above the
// threshold (worker option schema_drift.threshold, default 10) it notifies: a JSON log line on
// stderr, and a POST of {"kb","outdated","threshold","schema_version","checked_at"} to
// schema_drift.webhook when set; with schema_drift.submit=true it also submits a reextract job
// of the KB's outdated documents (domain schema_drift.domain, default general; cleanup
// schema_drift.cleanup, default replace). A failed webhook fails the document with the reason.
class SchemaDriftHandler : public TaskHandler {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TaskHandler>> Make(
      const HandlerContext& context);

  absl::StatusOr<DocumentOutcome> Process(const TaskDocument& doc) override;
  std::vector<std::pair<std::string, uint64_t>> Counters() const override;

 private:
  SchemaDriftHandler(const HandlerContext& context, ReextractOptions options,
                     std::unique_ptr<ReextractStore> store);
  // Notifies about one KB over the threshold; "" or why it failed.
  std::string Notify(const std::string& kb, uint64_t outdated);

  HandlerContext context_;
  const ReextractOptions options_;
  std::unique_ptr<ReextractStore> store_;
  std::unique_ptr<HttpClient> webhook_;
  std::string webhook_path_;
  uint64_t threshold_ = 10;
  bool submit_ = false;
  uint64_t checks_ = 0, alerts_ = 0, submitted_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_SCHEMA_DRIFT_H_
