#ifndef NIGHTJAR_CLI_CONFIG_FIELD_H_
#define NIGHTJAR_CLI_CONFIG_FIELD_H_

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/config.h"

// The typed setters config.cc builds its table of settings from: each parses one key from TOML
// or from text (environment, flags) and names the range or form it wants when it fails.
namespace nightjar {

// One configurable key: how to set it from TOML and from text (environment, flags).
struct Field {
  std::string key;                                          // "section.name"
  std::function<std::string(const toml::node&)> from_toml;  // "" or an error message
  std::function<std::string(std::string_view)> from_text;   // "" or an error message
};

// NIGHTJAR_SECTION_NAME for "section.name".
std::string EnvName(const std::string& key);

Field BoolField(std::string key, bool* out);
// An integer in [lo, hi], stored as T.
template <typename T>
Field IntField(std::string key, T* out, int64_t lo, int64_t hi) {
  auto range = fmt::format("must be an integer in [{}, {}]", lo, hi);
  auto set = [out, lo, hi, range](int64_t v) -> std::string {
    if (v < lo || v > hi) return range;
    *out = static_cast<T>(v);
    return "";
  };
  return Field{std::move(key),
               [set, range](const toml::node& n) -> std::string {
                 if (!n.is_integer()) return range;
                 return set(n.as_integer()->get());
               },
               [set, range](std::string_view t) -> std::string {
                 int64_t v = 0;
                 auto r = std::from_chars(t.data(), t.data() + t.size(), v);
                 if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return range;
                 return set(v);
               }};
}

Field DoubleField(std::string key, double* out, double lo, double hi);
Field StringField(std::string key, std::string* out, bool allow_empty);
// A list of non-empty names (non-empty unless allow_empty); as text, comma-separated.
Field ListField(std::string key, std::vector<std::string>* out, bool allow_empty = false);
Field DamagedFileField(std::string key, DamagedFilePolicy* out);
// [reextract] domains: a table of type lists (TOML `medical = ["disease", "drug"]`), or as text
// "medical:disease,drug;legal:court,statute". Replaces the default domains.
Field DomainsField(std::string key, std::map<std::string, std::vector<std::string>>* out);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_CONFIG_FIELD_H_
