// What the config reads besides the TOML file: the process environment, and sizes in flags.
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "cli/config.h"

extern char** environ;

namespace nightjar {

absl::StatusOr<int64_t> ParseSizeMib(std::string_view text, std::string_view what) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, n);
  const std::string unit = absl::AsciiStrToLower(std::string(r.ptr, end));
  int64_t scale = 0;
  if (unit.empty() || unit == "m" || unit == "mb" || unit == "mib") scale = 1;
  if (unit == "g" || unit == "gb" || unit == "gib") scale = 1024;
  if (r.ec != std::errc() || r.ptr == text.data() || n < 0 || scale == 0 ||
      n > (int64_t{1} << 40) / scale) {
    return absl::InvalidArgumentError(
        fmt::format("{} must be a size such as 256MiB or 2GiB, not '{}'", what, text));
  }
  return n * scale;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view k = kv.substr(0, eq);
    if (k.starts_with("NIGHTJAR_") || k == "REDIS_URL" || k == "DATABASE_URL" ||
        k == "MONGODB_URI" || k == "LLM_API_BASE" || k == "LLM_API_KEY" || k == "LLM_MODEL") {
      env.emplace(std::string(k), std::string(kv.substr(eq + 1)));
    }
  }
  return env;
}

}  // namespace nightjar
