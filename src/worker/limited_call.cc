#include "worker/limited_call.h"

#include <fmt/format.h>

#include <algorithm>

#include "queue/retry_after.h"
#include "util/status_macros.h"

namespace nightjar {

LimitedCaller::LimitedCaller(std::unique_ptr<RateLimiter> limiter,
                             std::unique_ptr<HttpClient> client, CallPolicy policy)
    : limiter_(std::move(limiter)), client_(std::move(client)), policy_(policy) {}

absl::Duration LimitedCaller::Backoff(int attempt) {
  // Exponential from backoff_base, capped, with full jitter over its upper half.
  const double base = absl::ToDoubleSeconds(policy_.backoff_base);
  const double cap = std::min(absl::ToDoubleSeconds(policy_.backoff_cap),
                              base * static_cast<double>(1 << std::min(attempt - 1, 16)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return absl::Seconds(cap * jitter(rng_));
}

absl::StatusOr<CallResult> LimitedCaller::Post(const std::string& path, const std::string& body,
                                               const HttpHeaders& headers) {
  CallResult result;
  const int attempts = std::max(1, policy_.attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    NJ_RETURN_IF_ERROR(limiter_->Acquire([](absl::Duration d) { absl::SleepFor(d); }).status());
    ++result.attempts;
    ++counters_.requests;
    absl::StatusOr<HttpResponse> res = client_->Post(path, body, headers);
    if (!res.ok()) {
      ++counters_.server_errors;
      result.failure = "upstream unreachable: " + std::string{res.status().message()};
      absl::SleepFor(Backoff(attempt));
      continue;
    }
    result.last_status = res->status;
    if (res->status >= 200 && res->status < 300) {
      result.response = std::move(*res);
      result.failure.clear();
      return result;
    }
    result.failure = fmt::format("upstream answered {}", res->status);
    if (res->status == 429 || res->status == 503) {
      ++counters_.throttled;
      const absl::Duration wait =
          RetryAfterFromHeaders(res->headers, absl::Now()).value_or(Backoff(attempt));
      NJ_RETURN_IF_ERROR(limiter_->Throttled(wait));
      continue;
    }
    if (res->status >= 500) {
      ++counters_.server_errors;
      absl::SleepFor(Backoff(attempt));
      continue;
    }
    // Another 4xx: retrying will not help. Keep a little of the body: it says why.
    std::string why = res->body.substr(0, 200);
    std::replace(why.begin(), why.end(), '\n', ' ');
    if (!why.empty()) result.failure += ": " + why;
    return result;
  }
  result.failure = fmt::format("{} (after {} attempts)", result.failure, result.attempts);
  return result;
}

}  // namespace nightjar
