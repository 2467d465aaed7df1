#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>

#include "store/lexicon_store.h"

namespace nightjar {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool IsVersionName(std::string_view name) {
  if (!name.starts_with("v1.") || name.size() < 11) return false;
  std::string_view date = name.substr(3, 8);
  if (!AllDigits(date)) return false;
  std::string_view rest = name.substr(11);
  if (rest.empty()) return true;
  if (rest[0] != '.' || !AllDigits(rest.substr(1)) || rest.size() > 10) return false;
  int n = std::stoi(std::string(rest.substr(1)));
  return n >= 2 && rest[1] != '0';
}

std::string NextVersionName(absl::Time now, const std::vector<std::string>& existing) {
  std::string base = "v1." + absl::FormatTime("%Y%m%d", now, absl::UTCTimeZone());
  int highest = 0;  // 1 = the unsuffixed name is taken
  for (const auto& v : existing) {
    if (!IsVersionName(v) || !std::string_view(v).starts_with(base)) continue;
    if (v.size() == base.size()) {
      highest = std::max(highest, 1);
    } else if (v[base.size()] == '.') {
      highest = std::max(highest, std::stoi(v.substr(base.size() + 1)));
    }
  }
  return highest == 0 ? base : fmt::format("{}.{}", base, highest + 1);
}

bool VersionNameLess(const std::string& a, const std::string& b) {
  auto key = [](const std::string& v) {
    int n = v.size() > 12 ? std::stoi(v.substr(12)) : 1;
    return std::make_pair(v.substr(0, 11), n);
  };
  return key(a) < key(b);
}

bool IsLexiconName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void RecordSetChecksum::Add(std::string_view record) {
  sum_ += XXH3_64bits(record.data(), record.size());
}

std::string RecordSetChecksum::Hex() const { return fmt::format("xxh3sum:{:016x}", sum_); }

absl::StatusOr<std::string> ResolveVersion(LexiconStore& store, const std::string& version,
                                           std::string_view store_uri) {
  if (!version.empty()) return version;
  auto current = store.Current();
  if (!current.ok()) return current.status();
  if (!*current) {
    return absl::NotFoundError(std::string(store_uri) + " has no current version");
  }
  return **current;
}

}  // namespace nightjar
