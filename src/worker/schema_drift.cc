#include "worker/schema_drift.h"

#include <fmt/format.h>

#include <cstdio>
#include <tuple>

#include "util/json_writer.h"
#include "util/status_macros.h"
#include "worker/jobs.h"

namespace nightjar {

absl::StatusOr<std::unique_ptr<TaskHandler>> SchemaDriftHandler::Make(const HandlerContext& c) {
  const ReextractOptions options = c.reextract != nullptr ? *c.reextract : ReextractOptions{};
  NJ_ASSIGN_OR_RETURN(auto store, ReextractStore::Open(options));
  std::unique_ptr<SchemaDriftHandler> h(new SchemaDriftHandler(c, options, std::move(store)));
  char* end = nullptr;
  const std::string threshold = c.Setting("schema_drift.threshold", "10");
  h->threshold_ = std::strtoull(threshold.c_str(), &end, 10);
  if (threshold.empty() || *end != '\0') {
    return absl::InvalidArgumentError(
        fmt::format("schema_drift.threshold '{}' is not a count", threshold));
  }
  h->submit_ = c.Setting("schema_drift.submit", "false") == "true";
  if (const std::string url = c.Setting("schema_drift.webhook", ""); !url.empty()) {
    HttpClientOptions ho;
    std::tie(ho.base_url, h->webhook_path_) = SplitHttpUrl(url);
    ho.request_timeout = absl::Seconds(10);
    NJ_ASSIGN_OR_RETURN(h->webhook_, HttpClient::Open(ho));
  }
  return std::unique_ptr<TaskHandler>(std::move(h));
}

SchemaDriftHandler::SchemaDriftHandler(const HandlerContext& context, ReextractOptions options,
                                       std::unique_ptr<ReextractStore> store)
    : context_(context), options_(std::move(options)), store_(std::move(store)) {}

std::string SchemaDriftHandler::Notify(const std::string& kb, uint64_t outdated) {
  ++alerts_;
  const std::string at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  JsonWriter w;
  w.BeginObject().Key("event").String("schema_drift").Key("kb").String(kb);
  w.Key("outdated").Uint(outdated).Key("threshold").Uint(threshold_);
  w.Key("schema_version").Int(options_.schema_version).Key("checked_at").String(at);
  std::string job;
  if (submit_) {
    auto ids = store_->SelectDocuments(kb, /*outdated=*/true, options_.schema_version);
    if (!ids.ok()) return std::string{ids.status().message()};
    SubmitOptions o;
    o.type = "reextract";
    o.docs = std::move(*ids);
    o.options = {{"domain", context_.Setting("schema_drift.domain", "general")},
                 {"cleanup", context_.Setting("schema_drift.cleanup", "replace")},
                 {"version", std::to_string(options_.schema_version)}};
    auto r = SubmitJob(context_.redis, o);
    if (!r.ok()) return std::string{r.status().message()};
    job = r->job;
    ++submitted_;
    w.Key("reextract_job").String(job);
  }
  w.EndObject();
  std::fprintf(stderr, "%s\n", w.str().c_str());
  if (webhook_ != nullptr) {
    auto res = webhook_->Post(webhook_path_, w.str(), {{"Content-Type", "application/json"}});
    if (!res.ok()) return "webhook: " + std::string{res.status().message()};
    if (res->status / 100 != 2) return fmt::format("webhook answered {}", res->status);
  }
  return "";
}

absl::StatusOr<DocumentOutcome> SchemaDriftHandler::Process(const TaskDocument& d) {
  NJ_ASSIGN_OR_RETURN(auto outdated, store_->OutdatedByKb(options_.schema_version));
  const std::string kb(d.document);
  std::vector<std::pair<std::string, uint64_t>> checked;
  if (kb == "all") {
    checked = outdated;
  } else {
    uint64_t n = 0;
    for (const auto& [name, count] : outdated) {
      if (name == kb) n = count;
    }
    checked.emplace_back(kb, n);
  }
  const std::string key = fmt::format("nightjar:{}:schema_drift", context_.redis->endpoint().ns);
  DocumentOutcome out;
  for (const auto& [name, count] : checked) {
    ++checks_;
    NJ_RETURN_IF_ERROR(
        context_.redis->Command({"HSET", key, name, std::to_string(count)}).status());
    if (count <= threshold_) continue;
    if (std::string failed = Notify(name, count); !failed.empty()) {
      out.error = fmt::format("schema drift in {} ({} outdated): {}", name, count, failed);
    }
  }
  return out;
}

std::vector<std::pair<std::string, uint64_t>> SchemaDriftHandler::Counters() const {
  return {{"schema_drift_checks", checks_},
          {"schema_drift_alerts", alerts_},
          {"schema_drift_jobs_submitted", submitted_}};
}

}  // namespace nightjar
