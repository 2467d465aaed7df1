#include "cli/refresh.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <memory>
#include <optional>

#include "corpus/document_source.h"
#include "count/corpus_counter.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/ngram_stats.h"
#include "lexicon/spelling.h"
#include "obs/progress.h"
#include "store/lexicon_store.h"
#include "store/retention.h"
#include "store/validation.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

using Seconds = std::chrono::duration<double>;

double Since(std::chrono::steady_clock::time_point t) {
  return Seconds(std::chrono::steady_clock::now() - t).count();
}

void WriteRejects(JsonWriter& w, const RejectLog& rejects) {
  w.BeginObject();
  w.Key("total").Uint(rejects.total());
  w.Key("by_reason").BeginObject();
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    auto r = static_cast<RejectReason>(i);
    if (rejects.count(r) > 0) w.Key(RejectReasonName(r)).Uint(rejects.count(r));
  }
  w.EndObject();
  w.Key("file").String(rejects.total() > 0 ? rejects.path() : "");
  w.EndObject();
}

std::string RejectBreakdown(const RejectLog& rejects) {
  std::string out;
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    auto r = static_cast<RejectReason>(i);
    if (rejects.count(r) == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", RejectReasonName(r), rejects.count(r));
  }
  return out;
}

void WriteCorpus(JsonWriter& w, const Config& config, const CorpusTotals& t, size_t terms,
                 const SourceProgress& input) {
  w.BeginObject();
  w.Key("uri").String(config.source.uri);
  w.Key("documents").Uint(t.documents);
  w.Key("deleted").Uint(t.deleted);
  w.Key("truncated").Uint(t.truncated);
  w.Key("tokens").Uint(t.tokens);
  w.Key("text_bytes").Uint(t.text_bytes);
  w.Key("input_bytes").Uint(input.bytes_read);
  w.Key("distinct_terms").Uint(terms);
  w.Key("long_tokens_skipped").Uint(t.long_tokens_skipped);
  w.EndObject();
}

void WriteSettings(JsonWriter& w, const Config& c) {
  const auto& t = c.count.tokenizer;
  w.BeginObject();
  w.Key("text").BeginObject();
  w.Key("digits").Bool(t.digits).Key("numbers").Bool(t.numbers);
  w.Key("inner_apostrophe").Bool(t.inner_apostrophe).Key("inner_hyphen").Bool(t.inner_hyphen);
  w.Key("max_token_bytes").Uint(t.max_token_bytes);
  w.EndObject();
  w.Key("count").BeginObject();
  w.Key("ngram_min").Int(c.count.ngram_min).Key("ngram_max").Int(c.count.ngram_max);
  w.EndObject();
  w.Key("spelling").BeginObject();
  w.Key("min_frequency").Uint(c.lexicons.spelling.min_frequency);
  w.Key("min_doc_frequency").Uint(c.lexicons.spelling.min_doc_frequency);
  w.Key("min_chars").Int(c.lexicons.spelling.min_chars);
  w.EndObject();
  w.Key("ngrams").BeginObject().Key("min_frequency").Uint(c.ngrams.min_frequency).EndObject();
  const auto& l = c.lexicons;
  w.Key("variants").BeginObject();
  w.Key("word_min_frequency").Uint(l.variants.word_min_frequency);
  w.Key("min_ratio").Double(l.variants.min_ratio).Key("max_distance").Int(l.variants.max_distance);
  w.Key("max_typing_cost").Double(l.variants.max_typing_cost);
  w.Key("min_context").Double(l.variants.min_context);
  w.EndObject();
  w.Key("phrases").BeginObject().Key("min_count").Uint(l.phrases.min_count);
  w.Key("threshold").Double(l.phrases.threshold).EndObject();
  w.Key("acronyms").BeginObject().Key("min_count").Uint(l.acronyms.min_count);
  w.Key("min_confidence").Double(l.acronyms.min_confidence).EndObject();
  w.Key("related").BeginObject().Key("window").Int(l.cooccurrence.window);
  w.Key("top_k").Int(l.related.top_k).Key("dimensions").Int(l.related.dimensions);
  w.Key("top_n").Int(l.related.top_n).Key("min_score").Double(l.related.min_score);
  w.EndObject();
  w.Key("expansions").BeginObject().Key("max_expansions").Int(l.expansions.max_expansions);
  w.EndObject();
  w.EndObject();
}

}  // namespace

absl::StatusOr<RefreshResult> RunRefresh(const Config& config, const RefreshFlags& flags,
                                         const Clock& clock) {
  const auto t0 = std::chrono::steady_clock::now();
  const absl::Time started = clock.Now();
  // Open the store and read the dictionary first: a bad store URI or path should fail before
  // an hour of counting.
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(config.store_uri));
  LexiconOptions lexicon_options = config.lexicons;
  NJ_RETURN_IF_ERROR(LoadProtectedWords(config.count.tokenizer, &lexicon_options.variants));

  std::string rejects_path;
  if (!config.rejects_dir.empty()) {
    rejects_path = fmt::format("{}/{}.jsonl", config.rejects_dir,
                               absl::FormatTime("%Y%m%dT%H%M%E3SZ", started, absl::UTCTimeZone()));
  }
  RejectLog rejects(rejects_path);
  DiscardRejects discarded_rejects;  // the mining passes re-read what the count pass judged
  NJ_ASSIGN_OR_RETURN(auto source, DocumentSource::Open(config.source, &rejects));

  // Count.
  CountProgress progress;
  std::optional<ProgressReporter> reporter;
  if (!flags.quiet) {
    reporter.emplace("refresh", [&] {
      SourceProgress in = source->progress();
      return ProgressSample{progress.documents.load(), progress.bytes.load(), in.bytes_read,
                            in.bytes_total};
    });
  }
  // The count pass also counts abbreviation definitions and keeps the tokenized text (within
  // passes.cache_mb), so that the mining passes need not read the corpus again.
  CountOptions count_options = config.count;
  count_options.abbreviations = true;
  count_options.cache_bytes = static_cast<size_t>(lexicon_options.pass_cache_mb) << 20;
  auto counted = CountCorpus(*source, count_options, rejects, &progress);
  reporter.reset();
  NJ_RETURN_IF_ERROR(rejects.Close());
  if (!counted.ok()) return counted.status();
  CorpusCounts& counts = *counted;
  const double count_s = Since(t0);
  const SourceProgress input = source->progress();

  // Gate: too many rejects, or nothing to learn from, publishes nothing.
  const uint64_t records = counts.totals.documents + counts.totals.deleted + rejects.total();
  const double share =
      records == 0 ? 0.0 : static_cast<double>(rejects.total()) / static_cast<double>(records);
  if (share > config.max_reject_share) {
    return absl::FailedPreconditionError(fmt::format(
        "{} of {} records rejected ({:.2f}%, over corpus.max_reject_share {:.2f}%): {}; "
        "quarantined in {}; nothing published",
        rejects.total(), records, share * 100, config.max_reject_share * 100,
        RejectBreakdown(rejects), rejects.path().empty() ? "(no rejects_dir)" : rejects.path()));
  }
  if (counts.totals.documents == 0) {
    return absl::FailedPreconditionError(
        fmt::format("the corpus {} yielded no documents ({} rejected); nothing published",
                    config.source.uri, rejects.total()));
  }

  // Mine.
  const auto t1 = std::chrono::steady_clock::now();
  const int threads = EffectiveThreads(config.count.threads);
  auto reopen = [&]() { return DocumentSource::Open(config.source, &discarded_rejects); };
  NJ_ASSIGN_OR_RETURN(Lexicons lex,
                      MineLexicons(counts, reopen, config.count.tokenizer, lexicon_options, threads,
                                   std::move(counts.caches)));
  const std::vector<SpellingEntry>& spelling = lex.spelling;
  // Derived from the term counts only now, so that the table is not held through mining.
  const NgramTable ngram_table =
      NgramTable::FromTerms(counts.terms, config.count.ngram_min, config.count.ngram_max, threads);
  std::vector<NgramRow> ngrams = ngram_table.Sorted();
  const double lexicon_s = Since(t1);

  // Write, validate, activate.
  const auto t2 = std::chrono::steady_clock::now();
  NJ_ASSIGN_OR_RETURN(auto builder, store->Begin(started));
  const std::string& version = builder->version();
  VersionValidator validator(config.validation);
  auto append = [&](std::string_view lexicon, std::string_view key,
                    const std::string& record) -> absl::Status {
    validator.Observe(lexicon, record);
    return builder->Append(lexicon, key, record);
  };
  // The records' terms view the count tables, in an order the records do not follow: each
  // would be a cache miss, so the text of the record a few places on is loaded ahead.
  constexpr size_t kAhead = 8;
  auto prefetch = [](std::string_view s) { __builtin_prefetch(s.data()); };
  for (size_t i = 0; i < spelling.size(); ++i) {
    if (i + kAhead < spelling.size()) prefetch(spelling[i + kAhead].word);
    const auto& e = spelling[i];
    NJ_RETURN_IF_ERROR(append(kSpellingLexicon, e.word, SpellingRecordJson(e, version)));
  }
  for (size_t i = 0; i < spelling.size(); ++i) {
    if (i + kAhead < spelling.size()) prefetch(spelling[i + kAhead].word);
    const auto& e = spelling[i];
    JsonWriter v;
    v.BeginObject().Key("word").String(e.word).Key("frequency").Uint(e.stats.frequency).EndObject();
    NJ_RETURN_IF_ERROR(append(kVocabularyLexicon, e.word, v.str()));
  }
  const std::string updated = FormatUtc(started);
  for (const auto& c : lex.corrections) {
    NJ_RETURN_IF_ERROR(append(kCorrectionsLexicon, c.variant,
                              CorrectionRecordJson(c.variant, c.word, c.score, version)));
  }
  for (const auto& r : lex.related) {
    std::vector<std::pair<std::string_view, float>> list(r.related.begin(), r.related.end());
    NJ_RETURN_IF_ERROR(
        append(kRelatedLexicon, r.term, RelatedRecordJson(r.term, list, version, updated)));
  }
  for (const auto& e : lex.expansions) {
    NJ_RETURN_IF_ERROR(
        append(kExpansionsLexicon, e.term,
               ExpansionRecordJson(e, config.lexicons.expansions.max_expansions, version)));
  }
  for (const auto& p : lex.phrases) {
    NJ_RETURN_IF_ERROR(append(kPhrasesLexicon, p.text, PhraseRecordJson(p, version)));
  }
  for (const auto& a : lex.acronyms) {
    NJ_RETURN_IF_ERROR(
        append(kAcronymsLexicon, a.short_form + "\t" + a.long_form, AcronymRecordJson(a, version)));
  }
  uint64_t ngrams_published = 0;
  for (size_t i = 0; i < ngrams.size(); ++i) {
    if (i + kAhead < ngrams.size()) prefetch(ngrams[i + kAhead].ngram);
    const auto& row = ngrams[i];
    if (row.stats.frequency < config.ngrams.min_frequency) continue;
    NJ_RETURN_IF_ERROR(append(kNgramsLexicon, row.ngram, NgramRecordJson(row, version)));
    ++ngrams_published;
  }
  NJ_ASSIGN_OR_RETURN(auto files, builder->Seal());

  // Gates, against the active version.
  NJ_ASSIGN_OR_RETURN(const std::optional<std::string> active, store->Current());
  std::optional<std::string> active_manifest;
  if (active) {
    NJ_ASSIGN_OR_RETURN(std::string text, store->ReadManifest(*active));
    active_manifest = std::move(text);
  }
  const ValidationReport report = validator.Finish(files, active_manifest);
  const bool passed = report.passed();
  const std::string failure = report.FirstFailure();

  JsonWriter m;
  m.BeginObject();
  m.Key("format").String("nightjar-manifest");
  m.Key("format_version").Int(1);
  m.Key("version").String(version);
  m.Key("created_at").String(FormatUtc(started));
  m.Key("committed_at").String(FormatUtc(clock.Now()));
  m.Key("corpus");
  WriteCorpus(m, config, counts.totals, counts.terms.size(), input);
  m.Key("rejects");
  WriteRejects(m, rejects);
  m.Key("lexicons").BeginObject();
  for (const auto& f : files) {
    m.Key(f.name).BeginObject();
    m.Key("records").Uint(f.records);
    m.Key("bytes").Uint(f.bytes);
    m.Key("checksum").String(f.checksum);
    m.EndObject();
  }
  m.EndObject();
  m.Key("validation").Raw(report.Json());
  m.Key("compared_with").String(active.value_or(""));
  m.Key("forced").Bool(!passed && flags.force);
  m.Key("top_words").BeginArray();
  for (const auto& w : validator.TopWords()) m.String(w);
  m.EndArray();
  m.Key("settings");
  WriteSettings(m, config);
  m.EndObject();
  NJ_RETURN_IF_ERROR(builder->Commit(
      m.str(), passed ? VersionState::kValidated : VersionState::kRejected, passed ? "" : failure));
  if (!passed && !flags.force) {
    return absl::FailedPreconditionError(fmt::format(
        "version {} rejected by validation gate {}; the active version ({}) is unchanged; "
        "`nightjar versions show {}` has the report, --force overrides",
        version, failure, active.value_or("none"), version));
  }
  PruneResult pruned;
  if (!flags.no_activate) {
    ActivateRequest ar;
    ar.version = version;
    ar.actor = "refresh";
    ar.force = flags.force;
    ar.now = clock.Now();
    NJ_RETURN_IF_ERROR(store->Activate(ar).status());
    if (config.retention.after_refresh) {
      NJ_ASSIGN_OR_RETURN(pruned, PruneVersions(*store, clock.Now(), config.retention.max_age(),
                                                /*dry_run=*/false));
    }
  }
  const double publish_s = Since(t2);
  const double total_s = Since(t0);

  RefreshResult result;
  result.version = version;
  const double mb = static_cast<double>(counts.totals.text_bytes) / 1e6;
  const double input_mb = static_cast<double>(progress.bytes.load()) / 1e6;
  JsonWriter s;
  s.BeginObject();
  s.Key("version").String(version);
  s.Key("store").String(config.store_uri);
  s.Key("corpus");
  WriteCorpus(s, config, counts.totals, counts.terms.size(), input);
  s.Key("rejects");
  WriteRejects(s, rejects);
  s.Key("spelling_words").Uint(spelling.size());
  s.Key("ngrams").Uint(ngrams_published);
  s.Key("corrections").Uint(lex.corrections.size());
  s.Key("related_terms").Uint(lex.related.size());
  s.Key("expansions").Uint(lex.expansions.size());
  s.Key("phrases").Uint(lex.phrases.size());
  s.Key("acronyms").Uint(lex.acronyms.size());
  s.Key("activated").Bool(!flags.no_activate);
  s.Key("forced").Bool(!passed && flags.force);
  s.Key("validation").Raw(report.Json());
  s.Key("pruned").BeginArray();
  for (const auto& v : pruned.deleted) s.String(v);
  s.EndArray();
  s.Key("threads").Int(threads);
  s.Key("second_pass").String(lex.second_pass_cached ? "cache" : "corpus");
  s.Key("third_pass").String(lex.third_pass_cached ? "cache" : "corpus");
  s.Key("seconds").BeginObject();
  s.Key("count").Double(count_s).Key("lexicons").Double(lexicon_s);
  s.Key("phrase_pass").Double(lex.phrase_pass_s).Key("context_pass").Double(lex.context_pass_s);
  s.Key("related").Double(lex.related_s).Key("variants").Double(lex.variants_s);
  s.Key("publish").Double(publish_s).Key("total").Double(total_s);
  s.Key("steps").BeginObject();
  for (const auto& [name, seconds] : lex.steps) s.Key(name).Double(seconds);
  s.EndObject();
  s.EndObject();
  s.Key("count_input_mb_per_s").Double(input_mb / count_s);
  s.Key("count_docs_per_s").Double(static_cast<double>(counts.totals.documents) / count_s);
  s.Key("peak_rss_bytes").Uint(PeakRssBytes());
  s.EndObject();
  result.summary_json = s.Take();
  result.summary_text = fmt::format(
      "{} {} in {}{}\n"
      "  documents {} (deleted {}, truncated {}), rejected {}{}\n"
      "  tokens {}, distinct terms {}, spelling words {}, corrections {}, n-grams {}\n"
      "  phrases {}, acronyms {}, related-term lists {}, expansion lists {}\n"
      "  {:.1f} MB text in {:.2f}s ({:.1f} MB/s input on {} threads), peak RSS {:.0f} MB",
      flags.no_activate ? "validated" : "activated", version, config.store_uri,
      pruned.deleted.empty() ? "" : fmt::format(" (pruned {})", fmt::join(pruned.deleted, ", ")),
      counts.totals.documents, counts.totals.deleted, counts.totals.truncated, rejects.total(),
      rejects.total() > 0 ? fmt::format(" ({}) -> {}", RejectBreakdown(rejects), rejects.path())
                          : "",
      counts.totals.tokens, counts.terms.size(), spelling.size(), lex.corrections.size(),
      ngrams_published, lex.phrases.size(), lex.acronyms.size(), lex.related.size(),
      lex.expansions.size(), mb, total_s, input_mb / count_s, threads,
      static_cast<double>(PeakRssBytes()) / 1e6);
  return result;
}

}  // namespace nightjar
