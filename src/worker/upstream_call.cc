#include "worker/upstream_call.h"

#include <fmt/format.h>
#include <httplib.h>

#include "queue/retry_after.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

std::string Setting(const HandlerContext& c, const std::string& key, const std::string& fallback) {
  if (c.settings == nullptr) return fallback;
  auto it = c.settings->find(key);
  return it == c.settings->end() ? fallback : it->second;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TaskHandler>> UpstreamCallHandler::Make(
    const HandlerContext& context, const std::string& rate_limit_key) {
  const std::string url = Setting(context, "upstream.url", "");
  // http://host:port[/path]
  if (!url.starts_with("http://")) {
    return absl::InvalidArgumentError(
        "task type upstream: the worker option upstream.url=http://HOST:PORT/PATH is required");
  }
  const size_t slash = url.find('/', 7);
  const std::string origin = url.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  const int attempts = std::atoi(Setting(context, "upstream.attempts", "5").c_str());
  RateLimitOptions lo;
  lo.name = rate_limit_key;
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<RateLimiter> limiter, RateLimiter::Open(context.redis, lo));
  auto client = std::make_unique<httplib::Client>(origin);
  client->set_keep_alive(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(60);
  return std::unique_ptr<TaskHandler>(new UpstreamCallHandler(
      context, std::move(limiter), std::move(client), path, std::max(1, attempts)));
}

UpstreamCallHandler::UpstreamCallHandler(const HandlerContext& context,
                                         std::unique_ptr<RateLimiter> limiter,
                                         std::unique_ptr<httplib::Client> client, std::string path,
                                         int attempts)
    : context_(context),
      limiter_(std::move(limiter)),
      client_(std::move(client)),
      path_(std::move(path)),
      attempts_(attempts) {}

UpstreamCallHandler::~UpstreamCallHandler() = default;

absl::Duration UpstreamCallHandler::Backoff(int attempt) {
  // Exponential from 200 ms, capped at 10 s, with full jitter over its upper half.
  const double cap = std::min(10.0, 0.2 * static_cast<double>(1 << std::min(attempt, 10)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return absl::Seconds(cap * jitter(rng_));
}

absl::StatusOr<DocumentOutcome> UpstreamCallHandler::Process(std::string_view job,
                                                             std::string_view doc) {
  JsonWriter body;
  body.BeginObject().Key("job").String(job).Key("document").String(doc).EndObject();
  std::string last;
  for (int attempt = 1; attempt <= attempts_; ++attempt) {
    NJ_RETURN_IF_ERROR(limiter_->Acquire([](absl::Duration d) { absl::SleepFor(d); }).status());
    auto res = client_->Post(path_, body.str(), "application/json");
    if (!res) {
      last = fmt::format("upstream unreachable: {}", httplib::to_string(res.error()));
      absl::SleepFor(Backoff(attempt));
      continue;
    }
    if (res->status >= 200 && res->status < 300) {
      DocumentOutcome out;
      out.result =
          RedisResult{fmt::format("nightjar:{}:results:{}", context_.redis->endpoint().ns, job),
                      std::string(doc), "1", /*increment=*/true};
      return out;
    }
    last = fmt::format("upstream answered {}", res->status);
    if (res->status == 429 || res->status == 503) {
      std::vector<std::pair<std::string, std::string>> headers(res->headers.begin(),
                                                               res->headers.end());
      const absl::Duration wait =
          RetryAfterFromHeaders(headers, absl::Now()).value_or(Backoff(attempt));
      NJ_RETURN_IF_ERROR(limiter_->Throttled(wait));
      continue;
    }
    if (res->status >= 500) {
      absl::SleepFor(Backoff(attempt));
      continue;
    }
    break;  // another 4xx: retrying will not help
  }
  DocumentOutcome failed;
  failed.error = fmt::format("{} (after up to {} attempts)", last, attempts_);
  return failed;
}

}  // namespace nightjar
