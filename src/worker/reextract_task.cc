#include "worker/reextract_task.h"

#include <fmt/format.h>

#include "util/status_macros.h"

namespace nightjar {
namespace {

// The document's chunks as runs of text of up to `max_chars` (a longer chunk is a run alone).
std::vector<std::string> Runs(const std::vector<Chunk>& chunks, size_t max_chars) {
  std::vector<std::string> runs;
  for (const Chunk& c : chunks) {
    if (!runs.empty() && runs.back().size() + 2 + c.text.size() <= max_chars) {
      runs.back() += "\n\n" + c.text;
    } else {
      runs.push_back(c.text);
    }
  }
  return runs;
}

// A 400/422 whose text names response_format: the server has no structured output.
bool RefusesStructuredOutput(const CallResult& r) {
  return (r.last_status == 400 || r.last_status == 422) &&
         (r.failure.find("response_format") != std::string::npos ||
          r.failure.find("json_schema") != std::string::npos);
}

DocumentOutcome Failed(std::string message) {
  DocumentOutcome out;
  out.error = std::move(message);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TaskHandler>> ReextractHandler::Make(const HandlerContext& c) {
  const ReextractOptions options = c.reextract != nullptr ? *c.reextract : ReextractOptions{};
  NJ_RETURN_IF_ERROR(ValidateReextractOptions(options));
  if (options.llm_api_base.empty()) {
    return absl::InvalidArgumentError(
        "reextract: no LLM endpoint (set reextract.llm_api_base or LLM_API_BASE)");
  }
  NJ_ASSIGN_OR_RETURN(auto store, ReextractStore::Open(options));
  HttpClientOptions ho;
  ho.base_url = options.llm_api_base;
  ho.request_timeout = absl::Seconds(options.timeout_s);
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Open(ho));
  RateLimitOptions lo;
  lo.name = options.rate_limit_key;
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<RateLimiter> limiter, RateLimiter::Open(c.redis, lo));
  CallPolicy policy;
  policy.attempts = options.call_attempts;
  auto caller = std::make_unique<LimitedCaller>(std::move(limiter), std::move(client), policy);
  return std::unique_ptr<TaskHandler>(
      new ReextractHandler(options, std::move(store), std::move(caller)));
}

ReextractHandler::ReextractHandler(ReextractOptions options, std::unique_ptr<ReextractStore> store,
                                   std::unique_ptr<LimitedCaller> caller)
    : options_(std::move(options)),
      store_(std::move(store)),
      caller_(std::move(caller)),
      structured_(options_.output != "text") {}

std::string ReextractHandler::Scrub(std::string message) const {
  const std::string& key = options_.llm_api_key;
  if (key.empty()) return message;
  for (size_t at = message.find(key); at != std::string::npos; at = message.find(key, at)) {
    message.replace(at, key.size(), "[redacted]");
  }
  return message;
}

absl::StatusOr<DocumentOutcome> ReextractHandler::Process(const TaskDocument& d) {
  const std::string job(d.job), doc(d.document);
  const std::string domain = d.Option("domain", "general");
  auto types = options_.domains.find(domain);
  if (types == options_.domains.end()) {
    return Failed(fmt::format("domain '{}' is not configured ([reextract.domains])", domain));
  }
  auto mode = ParseCleanupMode(d.Option("cleanup", "replace"));
  if (!mode.ok()) return Failed(std::string{mode.status().message()});
  const int version =
      std::atoi(d.Option("version", std::to_string(options_.schema_version)).c_str());
  NJ_ASSIGN_OR_RETURN(const bool done, store_->Committed(job, doc));
  if (done) {  // an earlier delivery committed it and died before marking it in Redis
    ++already_;
    return DocumentOutcome{};
  }
  auto chunks = store_->Chunks(doc);
  if (absl::IsNotFound(chunks.status())) return Failed(std::string{chunks.status().message()});
  NJ_RETURN_IF_ERROR(chunks.status());
  Extraction all;
  for (const std::string& text : Runs(*chunks, static_cast<size_t>(options_.max_chunk_chars))) {
    std::string failure;
    NJ_ASSIGN_OR_RETURN(std::optional<Extraction> part,
                        ExtractRun(d, domain, types->second, text, failure));
    if (!part) {
      ++failed_;
      return Failed(Scrub(failure));
    }
    MergeExtraction(all, std::move(*part));
  }
  auto committed = store_->Commit(job, doc, domain, all, *mode, version);
  if (absl::IsNotFound(committed.status())) {
    return Failed(std::string{committed.status().message()});
  }
  NJ_RETURN_IF_ERROR(committed.status());
  ++(*committed ? committed_ : already_);
  return DocumentOutcome{};
}

absl::StatusOr<std::optional<Extraction>> ReextractHandler::ExtractRun(
    const TaskDocument& d, const std::string& domain, const std::vector<std::string>& types,
    const std::string& text, std::string& failure) {
  HttpHeaders headers = {{"Content-Type", "application/json"}};
  if (!options_.llm_api_key.empty()) {
    headers.emplace_back("Authorization", "Bearer " + options_.llm_api_key);
  }
  std::string last;
  for (int attempt = 1; attempt <= options_.max_attempts;) {
    ExtractionRequest req{options_.llm_model, std::string(d.document), domain, types, text,
                          structured_};
    NJ_ASSIGN_OR_RETURN(CallResult call,
                        caller_->Post("/chat/completions", ChatRequestBody(req), headers));
    if (!call.response) {
      if (structured_ && options_.output == "auto" && RefusesStructuredOutput(call)) {
        structured_ = false;  // this server has no structured output: ask for the text form
        continue;
      }
      failure = call.failure;
      return std::optional<Extraction>();
    }
    ++answers_;
    ++attempt;
    absl::StatusOr<std::string> content = ChatContent(call.response->body);
    absl::StatusOr<Extraction> e = !content.ok() ? content.status()
                                   : structured_ ? ParseJsonExtraction(*content)
                                                 : ParseDelimitedExtraction(*content);
    absl::Status valid = e.ok() ? ValidateExtraction(*e, types) : e.status();
    if (valid.ok()) return std::optional<Extraction>(std::move(*e));
    ++malformed_;
    last = std::string{valid.message()};
  }
  failure = fmt::format("{} (after {} answers)", last, options_.max_attempts);
  return std::optional<Extraction>();
}

std::vector<std::pair<std::string, uint64_t>> ReextractHandler::Counters() const {
  const CallCounters& c = caller_->counters();
  return {{"llm_requests", c.requests},
          {"llm_throttled", c.throttled},
          {"llm_errors", c.server_errors},
          {"llm_answers", answers_},
          {"llm_malformed", malformed_},
          {"documents_committed", committed_},
          {"documents_already_committed", already_},
          {"documents_failed", failed_},
          {"pg_busy_us", static_cast<uint64_t>(absl::ToInt64Microseconds(store_->busy()))}};
}

}  // namespace nightjar
