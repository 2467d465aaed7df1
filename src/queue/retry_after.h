#ifndef NIGHTJAR_QUEUE_RETRY_AFTER_H_
#define NIGHTJAR_QUEUE_RETRY_AFTER_H_

// How long an upstream that answered 429 or 503 asks callers to wait, read from its headers.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace nightjar {

// A duration as rate-limit headers write one: plain seconds ("2", "0.5") or a Go-style
// duration ("12ms", "1s", "6m0s", "1h2m3.5s"). nullopt for anything else or a negative value.
std::optional<absl::Duration> ParseHeaderDuration(std::string_view text);

// The wait an answer asks for: `Retry-After` (seconds, or an HTTP date relative to `now`),
// else the longest `x-ratelimit-reset-*` among limits whose `x-ratelimit-remaining-*` is 0 (or
// given without a remaining count). Header names are compared case-insensitively. nullopt when
// the answer says nothing usable.
std::optional<absl::Duration> RetryAfterFromHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers, absl::Time now);

}  // namespace nightjar

#endif  // NIGHTJAR_QUEUE_RETRY_AFTER_H_
