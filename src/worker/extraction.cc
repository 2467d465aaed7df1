#include "worker/extraction.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

constexpr std::string_view kFieldSep = "<|>";
constexpr std::string_view kRecordSep = "##";
constexpr std::string_view kComplete = "<|COMPLETE|>";

std::string SystemPrompt(const ExtractionRequest& r) {
  std::string p = fmt::format(
      "You extract a knowledge graph from one document of the domain \"{}\".\n"
      "Identify every entity of these types: {}. For each give its name as written in the text, "
      "its type (exactly one of the types above) and a one-sentence description.\n"
      "Then identify relationships between the entities you extracted: source and target are "
      "entity names from your list, with a description, comma-separated keywords, and a "
      "strength from 0 (weak) to 10 (strong).\n",
      r.domain, absl::StrJoin(r.types, ", "));
  if (!r.structured) {
    p += fmt::format(
        "Answer with records separated by {rs}, each in one of these forms:\n"
        "(\"entity\"{fs}NAME{fs}TYPE{fs}DESCRIPTION)\n"
        "(\"relationship\"{fs}SOURCE{fs}TARGET{fs}DESCRIPTION{fs}KEYWORDS{fs}STRENGTH)\n"
        "and end with {end}. Write nothing else.\n",
        fmt::arg("rs", kRecordSep), fmt::arg("fs", kFieldSep), fmt::arg("end", kComplete));
  }
  return p;
}

void WriteSchema(JsonWriter& w, const std::vector<std::string>& types) {
  auto string_prop = [&](std::string_view name) {
    w.Key(name).BeginObject().Key("type").String("string").EndObject();
  };
  auto required = [&](std::initializer_list<std::string_view> names) {
    w.Key("required").BeginArray();
    for (std::string_view n : names) w.String(n);
    w.EndArray().Key("additionalProperties").Bool(false);
  };
  w.BeginObject().Key("type").String("object");
  required({"entities", "relationships"});
  w.Key("properties").BeginObject();
  w.Key("entities").BeginObject().Key("type").String("array").Key("items").BeginObject();
  w.Key("type").String("object");
  required({"name", "type", "description"});
  w.Key("properties").BeginObject();
  string_prop("name");
  w.Key("type").BeginObject().Key("type").String("string").Key("enum").BeginArray();
  for (const std::string& t : types) w.String(t);
  w.EndArray().EndObject();
  string_prop("description");
  w.EndObject().EndObject().EndObject();  // properties, items, entities
  w.Key("relationships").BeginObject().Key("type").String("array").Key("items").BeginObject();
  w.Key("type").String("object");
  required({"source", "target", "description", "keywords", "strength"});
  w.Key("properties").BeginObject();
  for (std::string_view n : {"source", "target", "description", "keywords"}) string_prop(n);
  w.Key("strength").BeginObject().Key("type").String("number").EndObject();
  w.EndObject().EndObject().EndObject();  // properties, items, relationships
  w.EndObject().EndObject();              // properties, schema
}

absl::Status Malformed(std::string_view why) {
  return absl::InvalidArgumentError(fmt::format("malformed answer: {}", why));
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}
std::string Trim(std::string_view s) { return std::string(TrimView(s)); }
std::string Trim(const std::string& s) { return Trim(std::string_view{s}); }
std::string Trim(absl::string_view s) { return Trim(std::string_view(s.data(), s.size())); }

std::string Lower(std::string_view s) {
  return absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
}

// "a; b" joined without repeating a part already there.
void JoinDescription(std::string& into, const std::string& more) {
  if (more.empty() || into.find(more) != std::string::npos) return;
  into = into.empty() ? more : into + "; " + more;
}

void JoinKeywords(std::string& into, const std::string& more) {
  std::vector<std::string> have;
  for (absl::string_view k : absl::StrSplit(into, ',', absl::SkipWhitespace())) {
    have.push_back(Trim(k));
  }
  for (absl::string_view k : absl::StrSplit(more, ',', absl::SkipWhitespace())) {
    std::string kw = Trim(k);
    if (!kw.empty() && std::find(have.begin(), have.end(), kw) == have.end()) have.push_back(kw);
  }
  into = absl::StrJoin(have, ", ");
}

}  // namespace

std::string ChatRequestBody(const ExtractionRequest& r) {
  JsonWriter w;
  w.BeginObject().Key("model").String(r.model).Key("temperature").Int(0);
  w.Key("messages").BeginArray();
  w.BeginObject().Key("role").String("system").Key("content").String(SystemPrompt(r)).EndObject();
  w.BeginObject().Key("role").String("user").Key("content");
  w.String(fmt::format("Document: {}\n\n{}", r.document, r.text)).EndObject();
  w.EndArray();
  if (r.structured) {
    w.Key("response_format").BeginObject().Key("type").String("json_schema");
    w.Key("json_schema").BeginObject().Key("name").String("knowledge_graph");
    w.Key("strict").Bool(true).Key("schema");
    WriteSchema(w, r.types);
    w.EndObject().EndObject();
  }
  w.EndObject();
  return w.Take();
}

absl::StatusOr<std::string> ChatContent(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(body);
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("malformed response: {}", why));
  };
  if (parser.parse(padded).get(root)) return bad("not JSON");
  simdjson::dom::array choices;
  if (root["choices"].get_array().get(choices) || choices.size() == 0) return bad("no choices");
  simdjson::dom::element message;
  if (choices.at(0)["message"].get(message)) return bad("no message in choices[0]");
  std::string_view refusal;
  if (message["refusal"].get_string().get(refusal) == simdjson::SUCCESS && !refusal.empty()) {
    return bad(fmt::format("the model refused: {}", refusal.substr(0, 200)));
  }
  std::string_view content;
  if (message["content"].get_string().get(content)) return bad("message.content is not a string");
  return std::string(content);
}

absl::StatusOr<Extraction> ParseJsonExtraction(std::string_view content) {
  std::string_view text = TrimView(content);
  if (text.starts_with("```")) {  // a fenced block: ```json ... ```
    const size_t nl = text.find('\n');
    const size_t end = text.rfind("```");
    if (nl == std::string_view::npos || end <= nl) return Malformed("an unclosed code fence");
    text = text.substr(nl + 1, end - nl - 1);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(text);
  if (parser.parse(padded).get(root)) return Malformed("not JSON");
  Extraction e;
  simdjson::dom::array entities, relationships;
  if (root["entities"].get_array().get(entities)) return Malformed("no \"entities\" array");
  if (root["relationships"].get_array().get(relationships)) {
    return Malformed("no \"relationships\" array");
  }
  auto str = [](simdjson::dom::element o, const char* key, std::string& out) {
    std::string_view v;
    if (o[key].get_string().get(v)) return false;
    out = std::string(v);
    return true;
  };
  for (simdjson::dom::element x : entities) {
    Entity en;
    if (!str(x, "name", en.name) || !str(x, "type", en.type) ||
        !str(x, "description", en.description)) {
      return Malformed("an entity without string name, type and description");
    }
    e.entities.push_back(std::move(en));
  }
  for (simdjson::dom::element x : relationships) {
    Relationship r;
    if (!str(x, "source", r.source) || !str(x, "target", r.target) ||
        !str(x, "description", r.description) || !str(x, "keywords", r.keywords)) {
      return Malformed("a relationship without string source, target, description and keywords");
    }
    if (x["strength"].get_double().get(r.strength)) {
      return Malformed("a relationship's strength is not a number");
    }
    e.relationships.push_back(std::move(r));
  }
  return e;
}

absl::StatusOr<Extraction> ParseDelimitedExtraction(std::string_view content) {
  std::string text(content);
  if (const size_t end = text.find(kComplete); end != std::string::npos) text.resize(end);
  // Records are separated by ## (some models put each on its own line instead).
  std::replace(text.begin(), text.end(), '\n', '\x1e');
  Extraction e;
  for (absl::string_view part :
       absl::StrSplit(text, absl::ByAnyChar("\x1e"), absl::SkipWhitespace())) {
    for (absl::string_view piece : absl::StrSplit(part, "##", absl::SkipWhitespace())) {
      std::string record = Trim(piece);
      if (record.empty()) continue;
      if (record.front() != '(' || record.back() != ')') {
        return Malformed(fmt::format("a record not in parentheses: {}", record.substr(0, 80)));
      }
      std::vector<std::string> f;
      for (absl::string_view x : absl::StrSplit(record.substr(1, record.size() - 2), "<|>")) {
        std::string v = Trim(x);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        f.push_back(std::move(v));
      }
      const std::string kind = Lower(f[0]);
      if (kind == "entity" && f.size() == 4) {
        e.entities.push_back(Entity{f[1], f[2], f[3]});
      } else if (kind == "relationship" && f.size() == 6) {
        char* end = nullptr;
        const double strength = std::strtod(f[5].c_str(), &end);
        if (f[5].empty() || end != f[5].c_str() + f[5].size()) {
          return Malformed(fmt::format("a relationship's strength is not a number: {}", f[5]));
        }
        e.relationships.push_back(Relationship{f[1], f[2], f[3], f[4], strength});
      } else {
        return Malformed(fmt::format("an unknown record: {}", record.substr(0, 80)));
      }
    }
  }
  return e;
}

absl::Status ValidateExtraction(Extraction& e, const std::vector<std::string>& types) {
  auto violation = [](const std::string& why) {
    return absl::InvalidArgumentError("schema violation: " + why);
  };
  std::map<std::string, std::string> allowed;  // lowercase -> as configured
  for (const std::string& t : types) allowed.emplace(Lower(t), t);
  std::vector<Entity> entities;
  std::map<std::string, size_t> by_name;  // lowercase name -> index
  for (Entity& en : e.entities) {
    en.name = Trim(en.name);
    if (en.name.empty()) return violation("an entity without a name");
    if (en.name.size() > 500) return violation(fmt::format("entity name over 500 bytes"));
    auto type = allowed.find(Lower(Trim(en.type)));
    if (type == allowed.end()) {
      return violation(fmt::format("entity \"{}\" has type \"{}\", not one of {}", en.name, en.type,
                                   absl::StrJoin(types, ", ")));
    }
    en.type = type->second;
    en.description = Trim(en.description);
    auto [it, fresh] = by_name.emplace(Lower(en.name), entities.size());
    if (fresh) {
      entities.push_back(std::move(en));
    } else {
      JoinDescription(entities[it->second].description, en.description);
    }
  }
  std::vector<Relationship> relationships;
  std::map<std::pair<std::string, std::string>, size_t> by_pair;
  for (Relationship& r : e.relationships) {
    auto source = by_name.find(Lower(Trim(r.source)));
    auto target = by_name.find(Lower(Trim(r.target)));
    if (source == by_name.end() || target == by_name.end()) {
      return violation(fmt::format("relationship \"{}\" -> \"{}\" names an entity not extracted",
                                   r.source, r.target));
    }
    if (source->second == target->second) {
      return violation(fmt::format("relationship of \"{}\" to itself", r.source));
    }
    if (!std::isfinite(r.strength) || r.strength < 0 || r.strength > 10) {
      return violation(fmt::format("relationship \"{}\" -> \"{}\" has strength {} outside [0, 10]",
                                   r.source, r.target, r.strength));
    }
    r.source = entities[source->second].name;
    r.target = entities[target->second].name;
    r.description = Trim(r.description);
    std::string keywords;
    JoinKeywords(keywords, r.keywords);
    r.keywords = keywords;
    auto [it, fresh] = by_pair.emplace(std::make_pair(r.source, r.target), relationships.size());
    if (fresh) {
      relationships.push_back(std::move(r));
    } else {
      Relationship& have = relationships[it->second];
      JoinDescription(have.description, r.description);
      JoinKeywords(have.keywords, r.keywords);
      have.strength = std::max(have.strength, r.strength);
    }
  }
  e.entities = std::move(entities);
  e.relationships = std::move(relationships);
  return absl::OkStatus();
}

void MergeExtraction(Extraction& into, Extraction part) {
  for (Entity& en : part.entities) {
    auto it = std::find_if(into.entities.begin(), into.entities.end(),
                           [&](const Entity& x) { return Lower(x.name) == Lower(en.name); });
    if (it == into.entities.end()) {
      into.entities.push_back(std::move(en));
    } else {
      JoinDescription(it->description, en.description);
    }
  }
  for (Relationship& r : part.relationships) {
    // Names as the merged entities spell them (a later call may differ in case).
    for (std::string* name : {&r.source, &r.target}) {
      for (const Entity& x : into.entities) {
        if (Lower(x.name) == Lower(*name)) *name = x.name;
      }
    }
    auto it = std::find_if(
        into.relationships.begin(), into.relationships.end(),
        [&](const Relationship& x) { return x.source == r.source && x.target == r.target; });
    if (it == into.relationships.end()) {
      into.relationships.push_back(std::move(r));
    } else {
      JoinDescription(it->description, r.description);
      JoinKeywords(it->keywords, r.keywords);
      it->strength = std::max(it->strength, r.strength);
    }
  }
}

}  // namespace nightjar
