#include "util/uri.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace nightjar {
namespace {

// Replaces the value of every "password=" query parameter.
std::string RedactQuery(std::string s) {
  const size_t q = s.find('?');
  if (q == std::string::npos) return s;
  for (size_t at = s.find("password=", q); at != std::string::npos;
       at = s.find("password=", at + 1)) {
    if (s[at - 1] != '?' && s[at - 1] != '&') continue;
    const size_t begin = at + 9;
    const size_t end = std::min(s.find('&', begin), s.size());
    s.replace(begin, end - begin, "***");
  }
  return s;
}

}  // namespace

std::string RedactUri(std::string_view uri) {
  std::string s(uri);
  const size_t scheme = s.find("://");
  if (scheme == std::string::npos) return RedactQuery(std::move(s));
  const size_t authority = scheme + 3;
  const size_t path = std::min(s.find_first_of("/?#", authority), s.size());
  // The last '@' of the authority ends the user-info (a password may hold an '@').
  const size_t at = s.rfind('@', path);
  if (at != std::string::npos && at >= authority) {
    const size_t colon = s.find(':', authority);
    if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
  }
  return RedactQuery(std::move(s));
}

absl::StatusOr<std::pair<std::string, int>> ParseHostPort(const std::string& text,
                                                          std::string_view setting) {
  const size_t colon = text.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': expected host:port", setting, text));
  }
  std::string_view p(text.data() + colon + 1, text.size() - colon - 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': port must be 0..65535", setting, text));
  }
  return std::make_pair(text.substr(0, colon), port);
}

}  // namespace nightjar
