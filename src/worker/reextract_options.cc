#include "worker/reextract_options.h"

#include <fmt/format.h>

#include "absl/strings/ascii.h"

namespace nightjar {
namespace {

// [A-Za-z_][A-Za-z0-9_]* , optionally schema.table.
bool IsTableName(std::string_view s) {
  size_t part = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && part > 0 && i + 1 < s.size()) {
      part = 0;
      continue;
    }
    const bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                    (part > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
    ++part;
  }
  return part > 0 && part <= 63;
}

}  // namespace

absl::Status ValidateReextractOptions(const ReextractOptions& o) {
  auto bad = [](std::string_view key, std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("config: reextract.{} {}", key, why));
  };
  const std::pair<const char*, const std::string*> tables[] = {
      {"documents_table", &o.documents_table},
      {"chunks_table", &o.chunks_table},
      {"entities_table", &o.entities_table},
      {"relationships_table", &o.relationships_table},
      {"marks_table", &o.marks_table}};
  for (const auto& [key, name] : tables) {
    if (!IsTableName(*name)) {
      return bad(
          key, fmt::format("'{}' is not a table name ([schema.]name: letters, digits, _)", *name));
    }
  }
  if (o.domains.empty()) return bad("domains", "must name at least one domain");
  for (const auto& [domain, types] : o.domains) {
    if (domain.empty()) return bad("domains", "has an empty domain name");
    if (types.empty()) return bad("domains", fmt::format("'{}' lists no entity types", domain));
    for (const std::string& t : types) {
      if (t.empty()) return bad("domains", fmt::format("'{}' lists an empty type", domain));
    }
  }
  if (o.output != "auto" && o.output != "json_schema" && o.output != "text") {
    return bad("output", "must be \"auto\", \"json_schema\" or \"text\"");
  }
  if (o.schema_version < 1) return bad("schema_version", "must be >= 1");
  if (o.max_attempts < 1) return bad("max_attempts", "must be >= 1");
  if (o.call_attempts < 1) return bad("call_attempts", "must be >= 1");
  if (o.max_chunk_chars < 1) return bad("max_chunk_chars", "must be >= 1");
  if (!(o.timeout_s > 0)) return bad("timeout_s", "must be > 0");
  if (o.rate_limit_key.empty()) return bad("rate_limit_key", "must not be empty");
  return absl::OkStatus();
}

}  // namespace nightjar
