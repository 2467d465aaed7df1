#include "cli/lookup.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "lexicon/corrector.h"
#include "store/lexicon_store.h"
#include "text/tokenizer.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

using ScoredList = std::vector<std::pair<std::string, double>>;

// Reads {"<key_field>": .., "<list_field>": [{"term":..,"score":..}]} records into a map.
absl::Status LoadLists(LexiconStore& store, const std::string& version, std::string_view lexicon,
                       const char* key_field, const char* list_field,
                       absl::flat_hash_map<std::string, ScoredList>* out) {
  simdjson::dom::parser parser;
  absl::Status status;
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, lexicon, [&](std::string_view rec) {
    simdjson::dom::element e;
    std::string_view key;
    simdjson::dom::array list;
    if (parser.parse(rec.data(), rec.size()).get(e) || e[key_field].get(key) ||
        e[list_field].get(list)) {
      status = absl::DataLossError(fmt::format("lookup: malformed {} record", lexicon));
      return;
    }
    ScoredList items;
    for (simdjson::dom::element x : list) {
      std::string_view term;
      double score = 0;
      if (x["term"].get(term) || x["score"].get(score)) continue;
      items.emplace_back(std::string(term), score);
    }
    (*out)[std::string(key)] = std::move(items);
  }));
  return status;
}

void WriteList(JsonWriter& w, const ScoredList* list) {
  w.BeginArray();
  if (list != nullptr) {
    for (const auto& [term, score] : *list) {
      w.BeginObject().Key("term").String(term).Key("score").Double(score).EndObject();
    }
  }
  w.EndArray();
}

}  // namespace

absl::Status RunLookup(const LookupFlags& flags, std::FILE* in, std::FILE* out) {
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(flags.store_uri));
  NJ_ASSIGN_OR_RETURN(const std::string version,
                      ResolveVersion(*store, flags.version, flags.store_uri));

  simdjson::dom::parser parser;
  absl::Status status;
  std::vector<std::pair<std::string, uint64_t>> words;
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, kSpellingLexicon, [&](std::string_view rec) {
    simdjson::dom::element e;
    std::string_view word;
    uint64_t f = 0;
    if (parser.parse(rec.data(), rec.size()).get(e) || e["word"].get(word) ||
        e["frequency"].get(f)) {
      status = absl::DataLossError("lookup: malformed spelling record");
      return;
    }
    words.emplace_back(std::string(word), f);
  }));
  NJ_RETURN_IF_ERROR(status);
  absl::flat_hash_map<std::string, std::pair<std::string, double>> corrections;
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, kCorrectionsLexicon, [&](std::string_view rec) {
    simdjson::dom::element e;
    std::string_view variant, word;
    double score = 0;
    if (parser.parse(rec.data(), rec.size()).get(e) || e["variant"].get(variant) ||
        e["word"].get(word) || e["score"].get(score)) {
      status = absl::DataLossError("lookup: malformed corrections record");
      return;
    }
    corrections[std::string(variant)] = {std::string(word), score};
  }));
  NJ_RETURN_IF_ERROR(status);
  absl::flat_hash_map<std::string, ScoredList> expansions, related;
  NJ_RETURN_IF_ERROR(
      LoadLists(*store, version, kExpansionsLexicon, "term", "expansions", &expansions));
  NJ_RETURN_IF_ERROR(
      LoadLists(*store, version, kRelatedLexicon, "word", "related_terms", &related));
  const SpellCorrector corrector(std::move(words), std::move(corrections), CorrectorOptions{});
  Tokenizer tokenizer{TokenizerOptions{}};

  auto answer = [&](const std::string& query) {
    std::vector<std::string> tokens;
    std::vector<SpellCorrector::Result> fixes;
    tokenizer.Tokenize(query, [&](const Token& t) { tokens.emplace_back(t.folded); });
    std::string corrected;
    for (const auto& t : tokens) {
      fixes.push_back(corrector.Correct(t));
      if (!corrected.empty()) corrected.push_back(' ');
      corrected += fixes.back().text;
    }
    // Terms: every corrected token and every run of 2 or 3 that the lexicons know as a phrase.
    std::vector<std::string> terms;
    for (size_t i = 0; i < fixes.size(); ++i) {
      std::string term = fixes[i].text;
      terms.push_back(term);
      for (size_t j = i + 1; j < fixes.size() && j < i + 3; ++j) {
        term += " " + fixes[j].text;
        if (expansions.contains(term) || related.contains(term)) terms.push_back(term);
      }
    }
    auto find = [](const auto& map, const std::string& k) -> const ScoredList* {
      auto it = map.find(k);
      return it == map.end() ? nullptr : &it->second;
    };
    if (!flags.json) {
      std::string s = fmt::format("{}\n  corrected: {}\n", query, corrected);
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (fixes[i].text != tokens[i]) {
          s += fmt::format("  {} -> {} ({}, {:.2f})\n", tokens[i], fixes[i].text, fixes[i].how,
                           fixes[i].score);
        }
      }
      for (const auto& t : terms) {
        for (const auto* list : {find(expansions, t)}) {
          if (list == nullptr) continue;
          s += fmt::format("  expand {}:", t);
          for (const auto& [x, sc] : *list) s += fmt::format(" {} ({:.2f})", x, sc);
          s += "\n";
        }
      }
      std::fputs(s.c_str(), out);
      return;
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("query").String(query);
    w.Key("corrected").String(corrected);
    w.Key("tokens").BeginArray();
    for (size_t i = 0; i < tokens.size(); ++i) {
      w.BeginObject().Key("token").String(tokens[i]).Key("correction").String(fixes[i].text);
      w.Key("score").Double(fixes[i].score).Key("how").String(fixes[i].how).EndObject();
    }
    w.EndArray();
    w.Key("terms").BeginArray();
    for (const auto& t : terms) {
      w.BeginObject().Key("term").String(t);
      w.Key("expansions");
      WriteList(w, find(expansions, t));
      w.Key("related_terms");
      WriteList(w, find(related, t));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::string line = w.Take();
    line.push_back('\n');
    std::fputs(line.c_str(), out);
  };

  if (!flags.queries.empty()) {
    std::string q;
    for (const auto& part : flags.queries) q += (q.empty() ? "" : " ") + part;
    answer(q);
  } else {
    char* line = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
      std::string q(line, static_cast<size_t>(n));
      while (!q.empty() && (q.back() == '\n' || q.back() == '\r')) q.pop_back();
      answer(q);
    }
    free(line);  // NOLINT: getline's buffer
  }
  if (std::fflush(out) != 0) return absl::UnavailableError("lookup: write to output failed");
  return absl::OkStatus();
}

}  // namespace nightjar
