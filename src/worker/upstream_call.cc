#include "worker/upstream_call.h"

#include <fmt/format.h>

#include <tuple>

#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {

absl::StatusOr<std::unique_ptr<TaskHandler>> UpstreamCallHandler::Make(
    const HandlerContext& context, const std::string& rate_limit_key) {
  const std::string url = context.Setting("upstream.url", "");
  // http://host:port[/path]
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return absl::InvalidArgumentError(
        "task type upstream: the worker option upstream.url=http://HOST:PORT/PATH is required");
  }
  HttpClientOptions ho;
  std::string path;
  std::tie(ho.base_url, path) = SplitHttpUrl(url);
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Open(ho));
  RateLimitOptions lo;
  lo.name = rate_limit_key;
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<RateLimiter> limiter, RateLimiter::Open(context.redis, lo));
  CallPolicy policy;
  policy.attempts = std::max(1, std::atoi(context.Setting("upstream.attempts", "5").c_str()));
  auto caller = std::make_unique<LimitedCaller>(std::move(limiter), std::move(client), policy);
  return std::unique_ptr<TaskHandler>(new UpstreamCallHandler(context, std::move(caller), path));
}

UpstreamCallHandler::UpstreamCallHandler(const HandlerContext& context,
                                         std::unique_ptr<LimitedCaller> caller, std::string path)
    : context_(context), caller_(std::move(caller)), path_(std::move(path)) {}

absl::StatusOr<DocumentOutcome> UpstreamCallHandler::Process(const TaskDocument& d) {
  const std::string_view job = d.job, doc = d.document;
  JsonWriter body;
  body.BeginObject().Key("job").String(job).Key("document").String(doc).EndObject();
  NJ_ASSIGN_OR_RETURN(CallResult call,
                      caller_->Post(path_, body.str(), {{"Content-Type", "application/json"}}));
  DocumentOutcome out;
  if (!call.response) {
    out.error = call.failure;
    return out;
  }
  out.result =
      RedisResult{fmt::format("nightjar:{}:results:{}", context_.redis->endpoint().ns, job),
                  std::string(doc), "1", /*increment=*/true};
  return out;
}

std::vector<std::pair<std::string, uint64_t>> UpstreamCallHandler::Counters() const {
  const CallCounters& c = caller_->counters();
  return {{"upstream_requests", c.requests},
          {"upstream_throttled", c.throttled},
          {"upstream_errors", c.server_errors}};
}

}  // namespace nightjar
