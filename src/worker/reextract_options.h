#ifndef NIGHTJAR_WORKER_REEXTRACT_OPTIONS_H_
#define NIGHTJAR_WORKER_REEXTRACT_OPTIONS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nightjar {

// How the `reextract` task type reaches its database and its LLM: the [reextract] keys of the
// TOML config (docs/worker.md). Every field has a default.
struct ReextractOptions {
  std::string database_url;  // PostgreSQL, libpq URI (env DATABASE_URL); required to run
  std::string documents_table = "documents";          // (id, kb, extraction_version)
  std::string chunks_table = "chunks";                // (doc_id, idx, text)
  std::string entities_table = "entities";            // (doc_id, domain, name, type, description)
  std::string relationships_table = "relationships";  // (doc_id, domain, source, target, ...)
  std::string marks_table = "reextract_marks";        // (job, doc_id): committed documents
  bool create_tables = true;  // CREATE TABLE IF NOT EXISTS each of them when a worker opens
  int schema_version = 1;     // the current extraction schema; --outdated selects below it
  // The domains a job may name, each with its allowed entity types.
  std::map<std::string, std::vector<std::string>> domains = {
      {"general", {"person", "organization", "location", "event", "concept", "product"}}};
  std::string llm_api_base;  // OpenAI-compatible base, e.g. http://litellm:4000/v1 (LLM_API_BASE)
  std::string llm_api_key;   // bearer token (LLM_API_KEY); never logged or put in an error
  std::string llm_model = "gpt-4o-mini";  // the model the proxy routes (LLM_MODEL)
  // "json_schema" (structured output, strict), "text" (a delimited answer), or "auto":
  // json_schema until the server refuses response_format, then text.
  std::string output = "auto";
  int max_attempts = 3;         // answers tried per call before a malformed one fails the doc
  int call_attempts = 5;        // requests per answer on 429, 5xx or no answer
  int max_chunk_chars = 12000;  // chunks are sent together up to this many characters a call
  double timeout_s = 120;       // one request, answer included
  std::string rate_limit_key = "llm";  // the shared limit its calls go under
};

// InvalidArgument naming the first bad field (as `reextract.<key>`): table names must be SQL
// identifiers (optionally schema-qualified), every domain must list types, output must be one of
// its three values.
[[nodiscard]] absl::Status ValidateReextractOptions(const ReextractOptions& o);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_REEXTRACT_OPTIONS_H_
