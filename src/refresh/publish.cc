#include "refresh/publish.h"

#include "lexicon/records.h"
#include "lexicon/spelling.h"
#include "refresh/count_stage.h"
#include "util/checksum.h"
#include "util/json_writer.h"
#include "util/parallel.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// The records' terms view the count tables, in an order the records do not follow: each would
// be a cache miss, so the text of the record a few places on is loaded ahead.
constexpr size_t kAhead = 8;
inline void Prefetch(std::string_view s) { __builtin_prefetch(s.data()); }

absl::Status WriteSpelling(const std::vector<SpellingEntry>& spelling, const std::string& version,
                           const auto& append) {
  for (size_t i = 0; i < spelling.size(); ++i) {
    if (i + kAhead < spelling.size()) Prefetch(spelling[i + kAhead].word);
    const auto& e = spelling[i];
    SpellingRecord r{e.word, e.stats.frequency, e.stats.doc_frequency, {}, version};
    r.variants.assign(e.variants.begin(), e.variants.end());
    NJ_RETURN_IF_ERROR(append(kSpellingLexicon, e.word, r.ToJson()));
  }
  for (size_t i = 0; i < spelling.size(); ++i) {
    if (i + kAhead < spelling.size()) Prefetch(spelling[i + kAhead].word);
    const auto& e = spelling[i];
    NJ_RETURN_IF_ERROR(
        append(kVocabularyLexicon, e.word, VocabularyRecord{e.word, e.stats.frequency}.ToJson()));
  }
  return absl::OkStatus();
}

absl::Status WriteMined(const Lexicons& lex, const RefreshOptions& options,
                        const std::string& version, const std::string& updated,
                        const auto& append) {
  for (const auto& c : lex.corrections) {
    NJ_RETURN_IF_ERROR(append(kCorrectionsLexicon, c.variant,
                              CorrectionRecord{c.variant, c.word, c.score, version}.ToJson()));
  }
  for (const auto& r : lex.related) {
    RelatedRecord rec{r.term, {}, version, updated};
    rec.related_terms.reserve(r.related.size());
    for (const auto& [term, score] : r.related) rec.related_terms.push_back({term, score});
    NJ_RETURN_IF_ERROR(append(kRelatedLexicon, r.term, rec.ToJson()));
  }
  const auto max_expansions = static_cast<uint64_t>(options.lexicons.expansions.max_expansions);
  for (const auto& e : lex.expansions) {
    ExpansionRecord rec{e.term, {}, max_expansions, version};
    rec.expansions.reserve(e.expansions.size());
    for (const auto& x : e.expansions) rec.expansions.push_back({x.term, x.score, x.kind});
    NJ_RETURN_IF_ERROR(append(kExpansionsLexicon, e.term, rec.ToJson()));
  }
  for (const auto& a : lex.acronyms) {
    const AcronymRecord rec{a.short_form, a.long_form, a.count, a.confidence, version};
    NJ_RETURN_IF_ERROR(append(kAcronymsLexicon, a.short_form + "\t" + a.long_form, rec.ToJson()));
  }
  for (size_t k = 0; k < kEditClasses; ++k) {
    const std::string_view edit = EditClassName(static_cast<EditClass>(k));
    NJ_RETURN_IF_ERROR(
        append(kErrorModelLexicon, edit,
               ErrorModelRecord{edit, lex.errors.cost[k], lex.error_counts[k], version}.ToJson()));
  }
  // One record for the pairs of each first word (they arrive grouped).
  BigramRecord rec;
  for (size_t i = 0; i < lex.bigrams.size();) {
    rec.word = lex.bigrams[i].first;
    rec.next.clear();
    for (; i < lex.bigrams.size() && lex.bigrams[i].first == rec.word; ++i) {
      rec.next.emplace_back(lex.bigrams[i].second, lex.bigrams[i].count);
    }
    NJ_RETURN_IF_ERROR(append(kBigramsLexicon, rec.word, rec.ToJson()));
  }
  return absl::OkStatus();
}

// The phrases and the n-grams at or above ngrams.min_frequency.
absl::Status WritePhrasesAndNgrams(const Lexicons& lex, const std::vector<NgramRow>& ngrams,
                                   const RefreshOptions& options, const std::string& version,
                                   const auto& append) {
  for (const auto& p : lex.phrases) {
    const PhraseRecord rec{p.text, p.ids.size(), p.count, p.score, version};
    NJ_RETURN_IF_ERROR(append(kPhrasesLexicon, p.text, rec.ToJson()));
  }
  for (size_t i = 0; i < ngrams.size(); ++i) {
    if (i + kAhead < ngrams.size()) Prefetch(ngrams[i + kAhead].ngram);
    const auto& row = ngrams[i];
    if (row.stats.frequency < options.ngrams.min_frequency) continue;
    const NgramRecord rec{row.ngram, static_cast<uint64_t>(row.n), row.stats.frequency,
                          row.stats.term_count, version};
    NJ_RETURN_IF_ERROR(append(kNgramsLexicon, row.ngram, rec.ToJson()));
  }
  return absl::OkStatus();
}

// A record made ahead of its Append; the views point into the lexicons.
struct MadeRecord {
  std::string_view lexicon, key;
  std::string record;
};

}  // namespace

absl::Status WriteLexicons(const Lexicons& lex, const std::vector<NgramRow>& ngrams,
                           const RefreshOptions& options, absl::Time started, int threads,
                           VersionBuilder& builder, VersionValidator& validator) {
  const std::string& version = builder.version();
  auto append = [&](std::string_view lexicon, std::string_view key,
                    const std::string& record) -> absl::Status {
    validator.Observe(lexicon, record);
    return builder.Append(lexicon, key, record);
  };
  // With a second thread, the phrases and n-grams (about half the bytes) are made and checked
  // beside the rest, by a validator of their own, and appended after it; the builder is not
  // thread-safe. Files and gates come out the same either way.
  const bool beside = threads > 1;
  VersionValidator side_validator(validator.options());
  std::vector<MadeRecord> made;
  auto keep = [&](std::string_view lexicon, std::string_view key,
                  std::string record) -> absl::Status {
    if (!beside) return append(lexicon, key, record);
    side_validator.Observe(lexicon, record);
    made.push_back(MadeRecord{lexicon, key, std::move(record)});
    return absl::OkStatus();
  };
  absl::Status status, side_status;
  RunBeside(
      beside,
      [&] {
        status = WriteSpelling(lex.spelling, version, append);
        if (status.ok()) status = WriteMined(lex, options, version, FormatUtc(started), append);
      },
      [&] { side_status = WritePhrasesAndNgrams(lex, ngrams, options, version, keep); });
  NJ_RETURN_IF_ERROR(status);
  NJ_RETURN_IF_ERROR(side_status);
  for (const MadeRecord& r : made) NJ_RETURN_IF_ERROR(builder.Append(r.lexicon, r.key, r.record));
  validator.Absorb(side_validator);
  for (std::string_view name : kAllLexicons) NJ_RETURN_IF_ERROR(builder.Declare(name));
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> ManifestSettings(const RefreshOptions& c) {
  std::vector<std::pair<std::string, std::string>> out;
  auto section = [&](std::string name, JsonWriter& w) {
    out.emplace_back(std::move(name), w.str());
    w.Clear();
  };
  const auto& l = c.lexicons;
  JsonWriter w;
  w.BeginObject().Key("ngram_min").Int(c.count.ngram_min).Key("ngram_max").Int(c.count.ngram_max);
  section("count", w.Key("max_terms").Uint(c.count.max_terms).EndObject());
  // The dictionary is an input of the lexicons: its name and checksum.
  const auto& dictionary = l.variants.dictionary;
  w.BeginObject().Key("language").String(l.language);
  w.Key("dictionary").String(dictionary ? dictionary->name() : "");
  section(
      "text",
      w.Key("dictionary_checksum").String(dictionary ? dictionary->checksum() : "").EndObject());
  w.BeginObject().Key("min_frequency").Uint(l.spelling.min_frequency);
  w.Key("min_doc_frequency").Uint(l.spelling.min_doc_frequency);
  section("spelling", w.Key("min_chars").Int(l.spelling.min_chars).EndObject());
  section("ngrams", w.BeginObject().Key("min_frequency").Uint(c.ngrams.min_frequency).EndObject());
  w.BeginObject().Key("word_min_frequency").Uint(l.variants.word_min_frequency);
  w.Key("min_ratio").Double(l.variants.min_ratio).Key("max_distance").Int(l.variants.max_distance);
  w.Key("max_typing_cost").Double(l.variants.max_typing_cost);
  w.Key("dictionary_min_ratio").Double(l.variants.dictionary_min_ratio);
  w.Key("max_repeats_per_document").Double(l.variants.max_repeats_per_document);
  w.Key("dictionary_min_context").Double(l.variants.dictionary_min_context);
  w.Key("error_min_score").Double(l.variants.error_min_score);
  w.Key("error_prior_edits").Double(l.variants.error_prior_edits);
  section("variants", w.Key("min_context").Double(l.variants.min_context).EndObject());
  w.BeginObject().Key("min_count").Uint(l.phrases.min_count);
  section("phrases", w.Key("threshold").Double(l.phrases.threshold).EndObject());
  w.BeginObject().Key("min_count").Uint(l.bigrams.min_count);
  section("bigrams", w.Key("max_bigrams").Uint(l.bigrams.max_bigrams).EndObject());
  w.BeginObject().Key("min_count").Uint(l.acronyms.min_count);
  section("acronyms", w.Key("min_confidence").Double(l.acronyms.min_confidence).EndObject());
  w.BeginObject().Key("window").Int(l.cooccurrence.window);
  w.Key("top_k").Int(l.related.top_k).Key("dimensions").Int(l.related.dimensions);
  w.Key("top_n").Int(l.related.top_n).Key("min_score").Double(l.related.min_score);
  section("related", w.EndObject());
  const auto& x = l.expansions;
  w.BeginObject().Key("max_expansions").Int(x.max_expansions);
  w.Key("min_related_score").Double(x.min_related_score);
  w.Key("min_related_cosine").Double(x.min_related_cosine);
  w.Key("min_synonym_cosine").Double(x.min_synonym_cosine);
  w.Key("min_form_frequency").Uint(x.min_form_frequency);
  w.Key("function_words").BeginArray();
  for (const std::string& f : x.function_words.extra) w.String(f);
  w.EndArray().Key("function_min_doc_share").Double(x.function_words.min_doc_share);
  w.Key("function_min_spread").Double(x.function_words.min_spread);
  section("expansions", w.EndObject());
  return out;
}

std::string SettingsDigest(const RefreshOptions& o) {
  std::string all;
  for (const auto& [name, json] : ManifestSettings(o)) all += name + "=" + json + ";";
  return ChecksumHex(all + StateIdentity(o));
}

}  // namespace nightjar
