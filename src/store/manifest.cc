#include "store/manifest.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "util/json_writer.h"

namespace nightjar {

void WriteCorpusJson(JsonWriter& w, const ManifestCorpus& c) {
  w.BeginObject();
  w.Key("uri").String(c.uri);
  w.Key("documents").Uint(c.documents);
  w.Key("deleted").Uint(c.deleted);
  w.Key("truncated").Uint(c.truncated);
  w.Key("tokens").Uint(c.tokens);
  w.Key("text_bytes").Uint(c.text_bytes);
  w.Key("input_bytes").Uint(c.input_bytes);
  w.Key("distinct_terms").Uint(c.distinct_terms);
  w.Key("long_tokens_skipped").Uint(c.long_tokens_skipped);
  w.EndObject();
}

void WriteRejectsJson(JsonWriter& w, const ManifestRejects& r) {
  w.BeginObject();
  w.Key("total").Uint(r.total);
  w.Key("by_reason").BeginObject();
  for (const auto& [reason, n] : r.by_reason) w.Key(reason).Uint(n);
  w.EndObject();
  w.Key("file").String(r.file);
  if (!r.damaged_files.empty()) {
    w.Key("damaged_files").BeginArray();
    for (const auto& f : r.damaged_files) w.String(f);
    w.EndArray();
  }
  w.EndObject();
}

namespace {

void WriteText(JsonWriter& w, const TokenizerOptions& t) {
  w.BeginObject();
  w.Key("digits").Bool(t.digits).Key("numbers").Bool(t.numbers);
  w.Key("inner_apostrophe").Bool(t.inner_apostrophe).Key("inner_hyphen").Bool(t.inner_hyphen);
  w.Key("max_token_bytes").Uint(t.max_token_bytes);
  w.EndObject();
}

using simdjson::dom::element;

// Reads an optional unsigned field; a present field of another type is an error.
bool GetUint(element obj, const char* key, uint64_t* out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return true;
  return !v.get(*out);
}

bool GetString(element obj, const char* key, std::string* out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return true;
  std::string_view s;
  if (v.get(s)) return false;
  *out = std::string(s);
  return true;
}

bool GetBool(element obj, const char* key, bool* out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return true;
  return !v.get(*out);
}

bool ParseCorpus(element m, ManifestCorpus* c) {
  element e;
  if (m["corpus"].get(e)) return true;
  return GetString(e, "uri", &c->uri) && GetUint(e, "documents", &c->documents) &&
         GetUint(e, "deleted", &c->deleted) && GetUint(e, "truncated", &c->truncated) &&
         GetUint(e, "tokens", &c->tokens) && GetUint(e, "text_bytes", &c->text_bytes) &&
         GetUint(e, "input_bytes", &c->input_bytes) &&
         GetUint(e, "distinct_terms", &c->distinct_terms) &&
         GetUint(e, "long_tokens_skipped", &c->long_tokens_skipped);
}

bool ParseRejects(element m, ManifestRejects* r) {
  element e;
  if (m["rejects"].get(e)) return true;
  if (!GetUint(e, "total", &r->total) || !GetString(e, "file", &r->file)) return false;
  simdjson::dom::object by;
  if (!e["by_reason"].get(by)) {
    for (auto [k, v] : by) {
      uint64_t n = 0;
      if (v.get(n)) return false;
      r->by_reason.emplace_back(std::string(k), n);
    }
  }
  simdjson::dom::array damaged;
  if (!e["damaged_files"].get(damaged)) {
    for (auto x : damaged) {
      std::string_view s;
      if (x.get(s)) return false;
      r->damaged_files.emplace_back(s);
    }
  }
  return true;
}

bool ParseLexicons(element m, std::vector<LexiconFileInfo>* out) {
  simdjson::dom::object lex;
  if (m["lexicons"].get(lex)) return false;
  for (auto [name, v] : lex) {
    LexiconFileInfo f;
    f.name = std::string(name);
    std::string_view checksum;
    if (v["checksum"].get(checksum) || !GetUint(v, "records", &f.records) ||
        !GetUint(v, "bytes", &f.bytes)) {
      return false;
    }
    f.checksum = std::string(checksum);
    out->push_back(std::move(f));
  }
  return true;
}

bool ParseSettings(element m, Manifest* out) {
  simdjson::dom::object settings;
  if (m["settings"].get(settings)) return true;
  for (auto [name, v] : settings) {
    if (name != "text") {
      out->settings.emplace_back(std::string(name), simdjson::minify(v));
      continue;
    }
    TokenizerOptions& t = out->text;
    uint64_t max_bytes = t.max_token_bytes;
    if (!GetBool(v, "digits", &t.digits) || !GetBool(v, "numbers", &t.numbers) ||
        !GetBool(v, "inner_apostrophe", &t.inner_apostrophe) ||
        !GetBool(v, "inner_hyphen", &t.inner_hyphen) ||
        !GetUint(v, "max_token_bytes", &max_bytes)) {
      return false;
    }
    t.max_token_bytes = static_cast<size_t>(max_bytes);
  }
  return true;
}

bool ParseTopWords(element m, std::vector<std::string>* out) {
  simdjson::dom::array top;
  if (m["top_words"].get(top)) return true;
  for (auto x : top) {
    std::string_view w;
    if (x.get(w)) return false;
    out->emplace_back(w);
  }
  return true;
}

}  // namespace

const LexiconFileInfo* Manifest::Lexicon(std::string_view name) const {
  for (const auto& f : lexicons) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Manifest::ToJson() const {
  JsonWriter m;
  m.BeginObject();
  m.Key("format").String(kManifestMagic);
  m.Key("format_version").Int(kManifestFormatVersion);
  m.Key("version").String(version);
  m.Key("created_at").String(created_at);
  m.Key("committed_at").String(committed_at);
  m.Key("corpus");
  WriteCorpusJson(m, corpus);
  m.Key("rejects");
  WriteRejectsJson(m, rejects);
  m.Key("lexicons").BeginObject();
  for (const auto& f : lexicons) {
    m.Key(f.name).BeginObject();
    m.Key("records").Uint(f.records).Key("bytes").Uint(f.bytes);
    m.Key("checksum").String(f.checksum);
    m.EndObject();
  }
  m.EndObject();
  m.Key("validation").Raw(validation_json);
  m.Key("incremental").Raw(incremental_json);
  m.Key("compared_with").String(compared_with);
  m.Key("forced").Bool(forced);
  m.Key("top_words").BeginArray();
  for (const auto& w : top_words) m.String(w);
  m.EndArray();
  m.Key("settings").BeginObject();
  m.Key("text");
  WriteText(m, text);
  for (const auto& [name, json] : settings) m.Key(name).Raw(json);
  m.EndObject();
  m.EndObject();
  return m.Take();
}

absl::StatusOr<Manifest> Manifest::Parse(std::string_view json, std::string_view what) {
  simdjson::dom::parser parser;
  element m;
  if (parser.parse(json.data(), json.size()).get(m) || !m.is_object()) {
    return absl::DataLossError(fmt::format("{}: manifest is not a JSON object", what));
  }
  std::string_view format;
  if (m["format"].get(format) || format != kManifestMagic) {
    return absl::DataLossError(fmt::format("{}: not a {} file", what, kManifestMagic));
  }
  int64_t format_version = 0;
  if (m["format_version"].get(format_version) || format_version != kManifestFormatVersion) {
    return absl::FailedPreconditionError(
        fmt::format("{}: format_version {} is not supported (this build reads {})", what,
                    format_version, kManifestFormatVersion));
  }
  Manifest out;
  element validation;
  if (!m["validation"].get(validation)) out.validation_json = simdjson::minify(validation);
  element incremental;  // absent from manifests written before incremental state
  if (!m["incremental"].get(incremental)) out.incremental_json = simdjson::minify(incremental);
  if (!GetString(m, "version", &out.version) || !GetString(m, "created_at", &out.created_at) ||
      !GetString(m, "committed_at", &out.committed_at) ||
      !GetString(m, "compared_with", &out.compared_with) || !GetBool(m, "forced", &out.forced) ||
      !ParseCorpus(m, &out.corpus) || !ParseRejects(m, &out.rejects) ||
      !ParseLexicons(m, &out.lexicons) || !ParseTopWords(m, &out.top_words) ||
      !ParseSettings(m, &out)) {
    return absl::DataLossError(fmt::format("{}: malformed manifest", what));
  }
  return out;
}

}  // namespace nightjar
