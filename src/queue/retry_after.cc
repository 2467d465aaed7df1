#include "queue/retry_after.h"

#include <charconv>
#include <cstdlib>

#include "absl/strings/ascii.h"

namespace nightjar {
namespace {

// A non-negative decimal number at the start of `s`; its length in *used.
std::optional<double> LeadingNumber(std::string_view s, size_t* used) {
  size_t i = 0;
  bool digits = false, dot = false;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !dot))) {
    dot |= s[i] == '.';
    digits |= s[i] != '.';
    ++i;
  }
  if (!digits) return std::nullopt;
  *used = i;
  return std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
}

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

}  // namespace

std::optional<absl::Duration> ParseHeaderDuration(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  size_t used = 0;
  if (auto n = LeadingNumber(s, &used); n && used == s.size()) return absl::Seconds(*n);
  absl::Duration total;
  while (!s.empty()) {
    auto n = LeadingNumber(s, &used);
    if (!n) return std::nullopt;
    s.remove_prefix(used);
    absl::Duration unit;
    if (s.starts_with("ms")) {
      unit = absl::Milliseconds(1), s.remove_prefix(2);
    } else if (s.starts_with("us") || s.starts_with("µs")) {
      unit = absl::Microseconds(1), s.remove_prefix(s.starts_with("us") ? 2 : 3);
    } else if (s.starts_with("ns")) {
      unit = absl::Nanoseconds(1), s.remove_prefix(2);
    } else if (s.starts_with("s")) {
      unit = absl::Seconds(1), s.remove_prefix(1);
    } else if (s.starts_with("m")) {
      unit = absl::Minutes(1), s.remove_prefix(1);
    } else if (s.starts_with("h")) {
      unit = absl::Hours(1), s.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    total += *n * unit;
  }
  return total;
}

std::optional<absl::Duration> RetryAfterFromHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers, absl::Time now) {
  for (const auto& [name, value] : headers) {
    if (Lower(name) != "retry-after") continue;
    if (auto d = ParseHeaderDuration(value)) return d;
    absl::Time t;
    std::string err;
    if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(), &t, &err)) {
      return std::max(absl::ZeroDuration(), t - now);
    }
  }
  // x-ratelimit-reset-<limit> for each exhausted <limit> (OpenAI: requests, tokens).
  std::optional<absl::Duration> longest;
  for (const auto& [name, value] : headers) {
    const std::string n = Lower(name);
    if (!n.starts_with("x-ratelimit-reset")) continue;
    const std::string limit = n.substr(17);  // "" or "-requests", "-tokens", ...
    bool exhausted = true;
    for (const auto& [other, remaining] : headers) {
      if (Lower(other) == "x-ratelimit-remaining" + limit) exhausted = remaining == "0";
    }
    auto d = ParseHeaderDuration(value);
    if (exhausted && d && (!longest || *d > *longest)) longest = d;
  }
  return longest;
}

}  // namespace nightjar
