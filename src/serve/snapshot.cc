#include "serve/snapshot.h"

#include <fmt/format.h>

#include <optional>

#include "lexicon/records.h"
#include "store/manifest.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

absl::Status Malformed(std::string_view lexicon, const absl::Status& why) {
  return absl::DataLossError(
      fmt::format("malformed {} record: {}", lexicon, std::string(why.message())));
}

// The scored lists of every record of `lexicon` (RelatedRecord or ExpansionRecord), by key.
template <typename Record, typename Get>
absl::Status LoadLists(LexiconStore& store, const std::string& version, const Get& get,
                       absl::flat_hash_map<std::string, ScoredList>* out) {
  absl::Status status;
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, Record::kLexicon, [&](std::string_view rec) {
    absl::StatusOr<Record> r = Record::Parse(rec);
    if (!r.ok()) {
      if (status.ok()) status = Malformed(Record::kLexicon, r.status());
      return;
    }
    const auto [key, list] = get(*r);  // the record's key and its list
    ScoredList items;
    items.reserve(list->size());
    for (const ScoredTerm& t : *list) {
      items.push_back(ScoredItem{std::string(t.term), t.score, std::string(t.kind)});
    }
    (*out)[std::string(key)] = std::move(items);
  }));
  return status;
}

}  // namespace

void WriteScoredList(JsonWriter& w, const ScoredList* list) {
  w.BeginArray();
  if (list != nullptr) {
    for (const ScoredItem& x : *list) {
      w.BeginObject().Key("term").String(x.term).Key("score").Double(x.score);
      if (!x.kind.empty()) w.Key("kind").String(x.kind);
      w.EndObject();
    }
  }
  w.EndArray();
}

Snapshot::Snapshot(std::string version, Tokenizer tokenizer,
                   std::unique_ptr<SpellCorrector> corrector,
                   absl::flat_hash_map<std::string, ScoredList> expansions,
                   absl::flat_hash_map<std::string, ScoredList> related, size_t words)
    : version_(std::move(version)),
      tokenizer_(std::move(tokenizer)),
      corrector_(std::move(corrector)),
      expansions_(std::move(expansions)),
      related_(std::move(related)),
      words_(words) {}

namespace {

// The bigrams lexicon (empty for versions published before it).
absl::StatusOr<BigramModel> LoadBigrams(LexiconStore& store, const Manifest& manifest,
                                        const std::string& version) {
  BigramModel bigrams;
  if (manifest.Lexicon(kBigramsLexicon) == nullptr) return bigrams;
  absl::Status status;
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kBigramsLexicon, [&](std::string_view rec) {
    absl::StatusOr<BigramRecord> r = BigramRecord::Parse(rec);
    if (!r.ok()) {
      if (status.ok()) status = Malformed(kBigramsLexicon, r.status());
      return;
    }
    for (const auto& [second, count] : r->next) bigrams.Add(r->word, second, count);
  }));
  NJ_RETURN_IF_ERROR(status);
  return bigrams;
}

// The version's learned channel model into *errors (left as it is for versions before it).
absl::Status LoadErrorModel(LexiconStore& store, const Manifest& manifest,
                            const std::string& version, ErrorModel* errors) {
  if (manifest.Lexicon(kErrorModelLexicon) == nullptr) return absl::OkStatus();
  absl::Status status;
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kErrorModelLexicon, [&](std::string_view rec) {
    absl::StatusOr<ErrorModelRecord> r = ErrorModelRecord::Parse(rec);
    std::optional<EditClass> edit;
    if (r.ok()) edit = EditClassFromName(r->edit);
    if (!r.ok() || !edit) {
      if (status.ok()) {
        status = Malformed(kErrorModelLexicon,
                           r.ok() ? absl::InvalidArgumentError("unknown \"edit\"") : r.status());
      }
      return;
    }
    (*errors)[*edit] = r->cost;
  }));
  return status;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> Snapshot::Load(LexiconStore& store,
                                                               const std::string& version,
                                                               const CorrectorOptions& options) {
  NJ_ASSIGN_OR_RETURN(const Manifest manifest, store.ReadManifest(version));
  absl::Status status;
  std::vector<std::pair<std::string, uint64_t>> words;
  // The vocabulary lexicon holds just what the corrector needs; versions from before it existed
  // have only the full spelling records.
  auto add_word = [&](std::string_view lexicon, const auto& r) {
    if (!r.ok()) {
      if (status.ok()) status = Malformed(lexicon, r.status());
      return;
    }
    words.emplace_back(std::string(r->word), r->frequency);
  };
  if (manifest.Lexicon(kVocabularyLexicon) != nullptr) {
    NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kVocabularyLexicon, [&](std::string_view rec) {
      add_word(kVocabularyLexicon, VocabularyRecord::Parse(rec));
    }));
  } else {
    NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kSpellingLexicon, [&](std::string_view rec) {
      add_word(kSpellingLexicon, SpellingRecord::Parse(rec));
    }));
  }
  NJ_RETURN_IF_ERROR(status);
  absl::flat_hash_map<std::string, std::pair<std::string, double>> corrections;
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kCorrectionsLexicon, [&](std::string_view rec) {
    absl::StatusOr<CorrectionRecord> r = CorrectionRecord::Parse(rec);
    if (!r.ok()) {
      if (status.ok()) status = Malformed(kCorrectionsLexicon, r.status());
      return;
    }
    corrections[std::string(r->variant)] = {std::string(r->word), r->score};
  }));
  NJ_RETURN_IF_ERROR(status);
  absl::flat_hash_map<std::string, ScoredList> expansions, related;
  NJ_RETURN_IF_ERROR(LoadLists<ExpansionRecord>(
      store, version, [](const ExpansionRecord& r) { return std::pair(r.term, &r.expansions); },
      &expansions));
  NJ_RETURN_IF_ERROR(LoadLists<RelatedRecord>(
      store, version, [](const RelatedRecord& r) { return std::pair(r.word, &r.related_terms); },
      &related));
  NJ_ASSIGN_OR_RETURN(BigramModel bigrams, LoadBigrams(store, manifest, version));
  CorrectorOptions corrector_options = options;
  if (options.learned_errors) {
    NJ_RETURN_IF_ERROR(LoadErrorModel(store, manifest, version, &corrector_options.errors));
  }
  const size_t n = words.size();
  auto corrector = std::make_unique<SpellCorrector>(std::move(words), std::move(corrections),
                                                    corrector_options, std::move(bigrams));
  return std::shared_ptr<const Snapshot>(new Snapshot(version, Tokenizer(manifest.text),
                                                      std::move(corrector), std::move(expansions),
                                                      std::move(related), n));
}

CorrectedQuery Snapshot::Correct(std::string_view query) const {
  CorrectedQuery q;
  Tokenizer tokenizer = tokenizer_;  // tokenizers keep scratch state; this one is ours
  tokenizer.Tokenize(query, [&](const Token& t) { q.tokens.emplace_back(t.folded); });
  for (size_t i = 0; i < q.tokens.size(); ++i) {
    // The neighbours: the left one as corrected, the right one as typed.
    const std::string_view left = i > 0 ? std::string_view(q.fixes[i - 1].text) : "";
    const std::string_view right = i + 1 < q.tokens.size() ? q.tokens[i + 1] : "";
    q.fixes.push_back(corrector_->Correct(q.tokens[i], left, right));
    if (!q.corrected.empty()) q.corrected.push_back(' ');
    q.corrected += q.fixes.back().text;
  }
  for (size_t i = 0; i < q.fixes.size(); ++i) {
    std::string term = q.fixes[i].text;
    q.terms.push_back(term);
    for (size_t j = i + 1; j < q.fixes.size() && j < i + 3; ++j) {
      term += " " + q.fixes[j].text;
      if (expansions_.contains(term) || related_.contains(term)) q.terms.push_back(term);
    }
  }
  return q;
}

const ScoredList* Snapshot::Expand(std::string_view term) const {
  auto it = expansions_.find(std::string(term));
  return it == expansions_.end() ? nullptr : &it->second;
}

const ScoredList* Snapshot::Related(std::string_view term) const {
  auto it = related_.find(std::string(term));
  return it == related_.end() ? nullptr : &it->second;
}

std::string Snapshot::LookupJson(std::string_view query) const {
  const CorrectedQuery q = Correct(query);
  JsonWriter w;
  w.BeginObject();
  w.Key("version").String(version_);
  w.Key("query").String(ValidUtf8(query));
  w.Key("corrected").String(q.corrected);
  w.Key("tokens").BeginArray();
  for (size_t i = 0; i < q.tokens.size(); ++i) {
    w.BeginObject().Key("token").String(q.tokens[i]).Key("correction").String(q.fixes[i].text);
    w.Key("score").Double(q.fixes[i].score).Key("how").String(q.fixes[i].how).EndObject();
  }
  w.EndArray();
  w.Key("terms").BeginArray();
  for (const auto& t : q.terms) {
    w.BeginObject().Key("term").String(t);
    w.Key("expansions");
    WriteScoredList(w, Expand(t));
    w.Key("related_terms");
    WriteScoredList(w, Related(t));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string Snapshot::LookupText(std::string_view query) const {
  const CorrectedQuery q = Correct(query);
  std::string s = fmt::format("{}\n  corrected: {}\n", query, q.corrected);
  for (size_t i = 0; i < q.tokens.size(); ++i) {
    if (q.fixes[i].text != q.tokens[i]) {
      s += fmt::format("  {} -> {} ({}, {:.2f})\n", q.tokens[i], q.fixes[i].text, q.fixes[i].how,
                       q.fixes[i].score);
    }
  }
  for (const auto& t : q.terms) {
    const ScoredList* list = Expand(t);
    if (list == nullptr) continue;
    s += fmt::format("  expand {}:", t);
    for (const ScoredItem& x : *list) {
      s += x.kind.empty() ? fmt::format(" {} ({:.2f})", x.term, x.score)
                          : fmt::format(" {} ({}, {:.2f})", x.term, x.kind, x.score);
    }
    s += "\n";
  }
  return s;
}

}  // namespace nightjar
