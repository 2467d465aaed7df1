#include "lexicon/records.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

double Round4(double x) { return std::round(x * 1e4) / 1e4; }

void WriteScored(JsonWriter& w, const std::vector<ScoredTerm>& list) {
  w.BeginArray();
  for (const ScoredTerm& t : list) {
    w.BeginObject().Key("term").String(t.term).Key("score").Double(Round4(t.score));
    if (!t.kind.empty()) w.Key("kind").String(t.kind);
    w.EndObject();
  }
  w.EndArray();
}

// Reads the fields of one record. Each getter fails naming the field when it is missing or of
// the wrong type.
class Reader {
 public:
  absl::Status Open(std::string_view json) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json.data(), json.size()).get(doc) || doc.get(obj_)) {
      return absl::InvalidArgumentError("not a JSON object");
    }
    return absl::OkStatus();
  }
  absl::Status String(const char* name, std::string_view* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    return v.get(*out) ? WrongType(name) : absl::OkStatus();
  }
  absl::Status Uint(const char* name, uint64_t* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    return v.get(*out) ? WrongType(name) : absl::OkStatus();
  }
  absl::Status Number(const char* name, double* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    return v.get(*out) ? WrongType(name) : absl::OkStatus();
  }
  absl::Status Strings(const char* name, std::vector<std::string_view>* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    simdjson::dom::array a;
    if (v.get(a)) return WrongType(name);
    out->reserve(a.size());
    for (simdjson::dom::element x : a) {
      if (x.get(out->emplace_back())) return WrongType(name);
    }
    return absl::OkStatus();
  }
  absl::Status Scored(const char* name, std::vector<ScoredTerm>* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    simdjson::dom::array a;
    if (v.get(a)) return WrongType(name);
    out->reserve(a.size());
    for (simdjson::dom::element x : a) {
      ScoredTerm& t = out->emplace_back();
      if (x["term"].get(t.term) || x["score"].get(t.score)) return WrongType(name);
      simdjson::dom::element kind;
      if (!x["kind"].get(kind) && kind.get(t.kind)) return WrongType(name);
    }
    return absl::OkStatus();
  }
  // [[string, unsigned], ..]
  absl::Status Counted(const char* name, std::vector<std::pair<std::string_view, uint64_t>>* out) {
    NJ_ASSIGN_OR_RETURN(simdjson::dom::element v, Field(name));
    simdjson::dom::array a;
    if (v.get(a)) return WrongType(name);
    out->reserve(a.size());
    for (simdjson::dom::element x : a) {
      simdjson::dom::array pair;
      auto& [s, n] = out->emplace_back();
      if (x.get(pair) || pair.size() != 2 || pair.at(0).get(s) || pair.at(1).get(n)) {
        return WrongType(name);
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<simdjson::dom::element> Field(const char* name) {
    simdjson::dom::element v;
    if (obj_[name].get(v)) return absl::InvalidArgumentError(fmt::format("missing \"{}\"", name));
    return v;
  }
  static absl::Status WrongType(const char* name) {
    return absl::InvalidArgumentError(fmt::format("\"{}\" has the wrong type", name));
  }
  simdjson::dom::object obj_;
};

}  // namespace

bool IsExpansionKind(std::string_view kind) {
  return kind == "acronym" || kind == "inflection" || kind == "phrase" || kind == "synonym";
}

bool IsCleanTerm(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      return false;
    }
  }
  return true;
}

bool IsUnitScore(double x) { return std::isfinite(x) && x >= 0.0 && x <= 1.0; }

std::string SpellingRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("word").String(word);
  w.Key("frequency").Uint(frequency);
  w.Key("doc_frequency").Uint(doc_frequency);
  w.Key("variants").BeginArray();
  for (std::string_view v : variants) w.String(v);
  w.EndArray();
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<SpellingRecord> SpellingRecord::Parse(std::string_view json) {
  Reader r;
  SpellingRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("word", &x.word));
  NJ_RETURN_IF_ERROR(r.Uint("frequency", &x.frequency));
  NJ_RETURN_IF_ERROR(r.Uint("doc_frequency", &x.doc_frequency));
  NJ_RETURN_IF_ERROR(r.Strings("variants", &x.variants));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

std::string VocabularyRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("word").String(word).Key("frequency").Uint(frequency).EndObject();
  return w.Take();
}

absl::StatusOr<VocabularyRecord> VocabularyRecord::Parse(std::string_view json) {
  Reader r;
  VocabularyRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("word", &x.word));
  NJ_RETURN_IF_ERROR(r.Uint("frequency", &x.frequency));
  return x;
}

std::string BigramRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("word").String(word).Key("next").BeginArray();
  for (const auto& [second, count] : next) w.BeginArray().String(second).Uint(count).EndArray();
  w.EndArray().EndObject();
  return w.Take();
}

absl::StatusOr<BigramRecord> BigramRecord::Parse(std::string_view json) {
  Reader r;
  BigramRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("word", &x.word));
  NJ_RETURN_IF_ERROR(r.Counted("next", &x.next));
  return x;
}

std::string ErrorModelRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("edit").String(edit).Key("cost").Double(Round4(cost));
  w.Key("count").Uint(count).Key("version").String(version).EndObject();
  return w.Take();
}

absl::StatusOr<ErrorModelRecord> ErrorModelRecord::Parse(std::string_view json) {
  Reader r;
  ErrorModelRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("edit", &x.edit));
  NJ_RETURN_IF_ERROR(r.Number("cost", &x.cost));
  NJ_RETURN_IF_ERROR(r.Uint("count", &x.count));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  if (!std::isfinite(x.cost) || x.cost <= 0) {
    return absl::InvalidArgumentError("\"cost\" is not a positive number");
  }
  return x;
}

std::string CorrectionRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("variant").String(variant);
  w.Key("word").String(word);
  w.Key("score").Double(Round4(score));
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<CorrectionRecord> CorrectionRecord::Parse(std::string_view json) {
  Reader r;
  CorrectionRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("variant", &x.variant));
  NJ_RETURN_IF_ERROR(r.String("word", &x.word));
  NJ_RETURN_IF_ERROR(r.Number("score", &x.score));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

std::string RelatedRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("word").String(word);
  w.Key("related_terms");
  WriteScored(w, related_terms);
  w.Key("version").String(version);
  w.Key("last_updated").String(last_updated);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<RelatedRecord> RelatedRecord::Parse(std::string_view json) {
  Reader r;
  RelatedRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("word", &x.word));
  NJ_RETURN_IF_ERROR(r.Scored("related_terms", &x.related_terms));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  NJ_RETURN_IF_ERROR(r.String("last_updated", &x.last_updated));
  return x;
}

std::string ExpansionRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("term").String(term);
  w.Key("expansions");
  WriteScored(w, expansions);
  w.Key("max_expansions").Uint(max_expansions);
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<ExpansionRecord> ExpansionRecord::Parse(std::string_view json) {
  Reader r;
  ExpansionRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("term", &x.term));
  NJ_RETURN_IF_ERROR(r.Scored("expansions", &x.expansions));
  for (const ScoredTerm& t : x.expansions) {
    if (!t.kind.empty() && !IsExpansionKind(t.kind)) {
      return absl::InvalidArgumentError(
          fmt::format("\"expansions\" has an unknown kind \"{}\"", t.kind));
    }
  }
  NJ_RETURN_IF_ERROR(r.Uint("max_expansions", &x.max_expansions));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

std::string PhraseRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("phrase").String(phrase);
  w.Key("words").Uint(words);
  w.Key("count").Uint(count);
  w.Key("score").Double(Round4(score));
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<PhraseRecord> PhraseRecord::Parse(std::string_view json) {
  Reader r;
  PhraseRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("phrase", &x.phrase));
  NJ_RETURN_IF_ERROR(r.Uint("words", &x.words));
  NJ_RETURN_IF_ERROR(r.Uint("count", &x.count));
  NJ_RETURN_IF_ERROR(r.Number("score", &x.score));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

std::string AcronymRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("short_form").String(short_form);
  w.Key("long_form").String(long_form);
  w.Key("count").Uint(count);
  w.Key("confidence").Double(Round4(confidence));
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<AcronymRecord> AcronymRecord::Parse(std::string_view json) {
  Reader r;
  AcronymRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("short_form", &x.short_form));
  NJ_RETURN_IF_ERROR(r.String("long_form", &x.long_form));
  NJ_RETURN_IF_ERROR(r.Uint("count", &x.count));
  NJ_RETURN_IF_ERROR(r.Number("confidence", &x.confidence));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

std::string NgramRecord::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("ngram").String(ngram);
  w.Key("n").Uint(n);
  w.Key("frequency").Uint(frequency);
  w.Key("term_count").Uint(term_count);
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<NgramRecord> NgramRecord::Parse(std::string_view json) {
  Reader r;
  NgramRecord x;
  NJ_RETURN_IF_ERROR(r.Open(json));
  NJ_RETURN_IF_ERROR(r.String("ngram", &x.ngram));
  NJ_RETURN_IF_ERROR(r.Uint("n", &x.n));
  NJ_RETURN_IF_ERROR(r.Uint("frequency", &x.frequency));
  NJ_RETURN_IF_ERROR(r.Uint("term_count", &x.term_count));
  NJ_RETURN_IF_ERROR(r.String("version", &x.version));
  return x;
}

namespace {

template <typename Record>
absl::StatusOr<AnyRecord> ParseAs(std::string_view json) {
  NJ_ASSIGN_OR_RETURN(Record r, Record::Parse(json));
  return AnyRecord(std::move(r));
}

}  // namespace

absl::StatusOr<AnyRecord> ParseRecord(std::string_view lexicon, std::string_view json) {
  if (lexicon == kSpellingLexicon) return ParseAs<SpellingRecord>(json);
  if (lexicon == kVocabularyLexicon) return ParseAs<VocabularyRecord>(json);
  if (lexicon == kCorrectionsLexicon) return ParseAs<CorrectionRecord>(json);
  if (lexicon == kRelatedLexicon) return ParseAs<RelatedRecord>(json);
  if (lexicon == kExpansionsLexicon) return ParseAs<ExpansionRecord>(json);
  if (lexicon == kPhrasesLexicon) return ParseAs<PhraseRecord>(json);
  if (lexicon == kAcronymsLexicon) return ParseAs<AcronymRecord>(json);
  if (lexicon == kNgramsLexicon) return ParseAs<NgramRecord>(json);
  if (lexicon == kBigramsLexicon) return ParseAs<BigramRecord>(json);
  if (lexicon == kErrorModelLexicon) return ParseAs<ErrorModelRecord>(json);
  Reader r;
  NJ_RETURN_IF_ERROR(r.Open(json));
  return AnyRecord(std::monostate{});
}

}  // namespace nightjar
