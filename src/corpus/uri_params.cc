#include "corpus/uri_params.h"

namespace nightjar {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string_view> Split(std::string_view v, char sep, bool skip_empty) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = v.find(sep);
    const std::string_view part = v.substr(0, at);
    if (!part.empty() || !skip_empty) out.push_back(part);
    if (at == std::string_view::npos) return out;
    v.remove_prefix(at + 1);
  }
}

std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  for (std::string_view part : Split(v, ',', true)) out.emplace_back(part);
  return out;
}

absl::StatusOr<bool> TakePagingParam(std::string_view key, const std::string& v, size_t max_batch,
                                     size_t* batch, int64_t* overlap_s, double* retry_s) {
  if (key == "batch") {
    if (auto s = ParseNumberParam<size_t>(key, v, 1, max_batch, batch); !s.ok()) return s;
  } else if (key == "overlap_s") {
    if (auto s = ParseNumberParam<int64_t>(key, v, 0, 86400 * 30, overlap_s); !s.ok()) return s;
  } else if (key == "retry_s") {
    int64_t r = 0;
    if (auto s = ParseNumberParam<int64_t>(key, v, 0, 86400, &r); !s.ok()) return s;
    *retry_s = static_cast<double>(r);
  } else {
    return false;
  }
  return true;
}

std::string_view UriBase(std::string_view uri) { return uri.substr(0, uri.find('?')); }

std::vector<UriParam> UriParams(std::string_view uri) {
  std::vector<UriParam> out;
  const size_t q = uri.find('?');
  if (q == std::string_view::npos) return out;
  for (std::string_view raw : Split(uri.substr(q + 1), '&', true)) {
    const size_t eq = raw.find('=');
    out.push_back(UriParam{raw, raw.substr(0, eq),
                           eq == std::string_view::npos ? "" : PercentDecode(raw.substr(eq + 1))});
  }
  return out;
}

absl::StatusOr<std::string> TakeParams(
    std::string_view uri,
    const std::function<absl::StatusOr<bool>(std::string_view key, const std::string& value)>&
        take) {
  std::string out(UriBase(uri));
  char sep = '?';
  for (const UriParam& p : UriParams(uri)) {
    auto taken = take(p.key, p.value);
    if (!taken.ok()) return taken.status();
    if (*taken) continue;
    out += sep;
    out += p.raw;
    sep = '&';
  }
  return out;
}

}  // namespace nightjar
