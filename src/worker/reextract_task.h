#ifndef NIGHTJAR_WORKER_REEXTRACT_TASK_H_
#define NIGHTJAR_WORKER_REEXTRACT_TASK_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/extraction.h"
#include "worker/limited_call.h"
#include "worker/reextract_store.h"
#include "worker/task_types.h"

namespace nightjar {

// The `reextract` task type: re-extracts a document's entities and relationships for the job's
// domain. Per document: a document the job committed already (its mark in PostgreSQL) is done
// without a call; otherwise its chunks are read, sent to the OpenAI-compatible
// /chat/completions endpoint in runs of up to max_chunk_chars (under the shared limit of
// reextract.rate_limit_key, LimitedCaller's retries), each answer parsed (structured JSON, or
// the delimited text form) and validated against the domain's types, a malformed or
// schema-violating answer asked again up to max_attempts times; then everything is committed in
// one transaction (ReextractStore::Commit) that also bumps the document's extraction version.
// A document that cannot be done fails with the reason; the API key is scrubbed from every
// message. Job options (the task payload's): domain, cleanup (replace|merge), version.
class ReextractHandler : public TaskHandler {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TaskHandler>> Make(
      const HandlerContext& context);

  absl::StatusOr<DocumentOutcome> Process(const TaskDocument& doc) override;
  std::vector<std::pair<std::string, uint64_t>> Counters() const override;

 private:
  ReextractHandler(ReextractOptions options, std::unique_ptr<ReextractStore> store,
                   std::unique_ptr<LimitedCaller> caller);
  // One run of chunks: the validated extraction, or a failure reason (error message).
  absl::StatusOr<std::optional<Extraction>> ExtractRun(const TaskDocument& d,
                                                       const std::string& domain,
                                                       const std::vector<std::string>& types,
                                                       const std::string& text,
                                                       std::string& failure);
  std::string Scrub(std::string message) const;

  const ReextractOptions options_;
  std::unique_ptr<ReextractStore> store_;
  std::unique_ptr<LimitedCaller> caller_;
  bool structured_;  // json_schema requests; turns false once a server refuses them (auto)
  uint64_t answers_ = 0, malformed_ = 0, committed_ = 0, already_ = 0, failed_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_REEXTRACT_TASK_H_
