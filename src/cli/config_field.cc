#include "cli/config_field.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace nightjar {

std::string EnvName(const std::string& key) {
  std::string s = "NIGHTJAR_" + key;
  for (char& c : s) c = c == '.' ? '_' : static_cast<char>(absl::ascii_toupper(c));
  return s;
}

Field BoolField(std::string key, bool* out) {
  return Field{std::move(key),
               [out](const toml::node& n) -> std::string {
                 if (!n.is_boolean()) return "must be true or false";
                 *out = n.as_boolean()->get();
                 return "";
               },
               [out](std::string_view t) -> std::string {
                 std::string v = absl::AsciiStrToLower(absl::string_view(t.data(), t.size()));
                 if (v == "true" || v == "1" || v == "yes") {
                   *out = true;
                 } else if (v == "false" || v == "0" || v == "no") {
                   *out = false;
                 } else {
                   return "must be true or false";
                 }
                 return "";
               }};
}

Field DoubleField(std::string key, double* out, double lo, double hi) {
  auto range = fmt::format("must be a number in [{}, {}]", lo, hi);
  auto set = [out, lo, hi, range](double v) -> std::string {
    if (!(v >= lo && v <= hi)) return range;
    *out = v;
    return "";
  };
  return Field{std::move(key),
               [set, range](const toml::node& n) -> std::string {
                 if (n.is_floating_point()) return set(n.as_floating_point()->get());
                 if (n.is_integer()) return set(static_cast<double>(n.as_integer()->get()));
                 return range;
               },
               [set, range](std::string_view t) -> std::string {
                 char* end = nullptr;
                 std::string s(t);
                 double v = std::strtod(s.c_str(), &end);
                 if (s.empty() || end != s.c_str() + s.size()) return range;
                 return set(v);
               }};
}

Field StringField(std::string key, std::string* out, bool allow_empty) {
  auto set = [out, allow_empty](std::string_view v) -> std::string {
    if (v.empty() && !allow_empty) return "must not be empty";
    *out = std::string(v);
    return "";
  };
  return Field{std::move(key),
               [set](const toml::node& n) -> std::string {
                 if (!n.is_string()) return "must be a string";
                 return set(n.as_string()->get());
               },
               set};
}

Field ListField(std::string key, std::vector<std::string>* out, bool allow_empty) {
  auto set = [out, allow_empty](std::vector<std::string> v) -> std::string {
    if (v.empty() && !allow_empty) return "must list at least one name";
    for (const auto& s : v) {
      if (s.empty()) return "must not contain an empty name";
    }
    *out = std::move(v);
    return "";
  };
  return Field{
      std::move(key),
      [set](const toml::node& n) -> std::string {
        const toml::array* a = n.as_array();
        if (a == nullptr) return "must be an array of strings";
        std::vector<std::string> v;
        for (const auto& e : *a) {
          if (!e.is_string()) return "must be an array of strings";
          v.push_back(e.as_string()->get());
        }
        return set(std::move(v));
      },
      [set](std::string_view t) -> std::string {
        std::vector<std::string> v;
        if (t.empty()) return set(std::move(v));
        for (absl::string_view p : absl::StrSplit(absl::string_view(t.data(), t.size()), ',')) {
          v.emplace_back(absl::StripAsciiWhitespace(p));
        }
        return set(std::move(v));
      }};
}

Field DamagedFileField(std::string key, DamagedFilePolicy* out) {
  auto set = [out](std::string_view v) -> std::string {
    if (v == "fail") {
      *out = DamagedFilePolicy::kFail;
    } else if (v == "skip") {
      *out = DamagedFilePolicy::kSkip;
    } else {
      return "must be \"fail\" or \"skip\"";
    }
    return "";
  };
  return Field{std::move(key),
               [set](const toml::node& n) -> std::string {
                 if (!n.is_string()) return "must be \"fail\" or \"skip\"";
                 return set(n.as_string()->get());
               },
               set};
}

Field DomainsField(std::string key, std::map<std::string, std::vector<std::string>>* out) {
  const std::string form = "must map each domain to its entity types";
  return Field{std::move(key),
               [out, form](const toml::node& n) -> std::string {
                 const toml::table* t = n.as_table();
                 if (t == nullptr) return form + " (a table of string arrays)";
                 std::map<std::string, std::vector<std::string>> domains;
                 for (const auto& [name, types] : *t) {
                   const toml::array* a = types.as_array();
                   if (a == nullptr) return form + " (a table of string arrays)";
                   auto& list = domains[std::string(name.str())];
                   for (const auto& e : *a) {
                     if (!e.is_string()) return form + " (a table of string arrays)";
                     list.push_back(e.as_string()->get());
                   }
                 }
                 *out = std::move(domains);
                 return "";
               },
               [out, form](std::string_view t) -> std::string {
                 std::map<std::string, std::vector<std::string>> domains;
                 for (absl::string_view d : absl::StrSplit(absl::string_view(t.data(), t.size()),
                                                           ';', absl::SkipWhitespace())) {
                   const size_t colon = d.find(':');
                   if (colon == absl::string_view::npos) {
                     return form + " (\"domain:type,type;...\")";
                   }
                   auto& list =
                       domains[std::string(absl::StripAsciiWhitespace(d.substr(0, colon)))];
                   for (absl::string_view type : absl::StrSplit(d.substr(colon + 1), ',')) {
                     list.emplace_back(absl::StripAsciiWhitespace(type));
                   }
                 }
                 *out = std::move(domains);
                 return "";
               }};
}

}  // namespace nightjar
