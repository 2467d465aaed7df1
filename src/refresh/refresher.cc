#include "refresh/refresher.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "count/ngram_table.h"
#include "obs/progress.h"
#include "refresh/memory_plan.h"
#include "refresh/publish.h"
#include "refresh/shard_rounds.h"
#include "store/retention.h"
#include "store/validation.h"
#include "util/checksum.h"
#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string RejectBreakdown(const ManifestRejects& r) {
  std::string out;
  for (const auto& [reason, n] : r.by_reason) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", reason, n);
  }
  return out;
}

ManifestRejects RejectsOf(const RejectLog& log, std::vector<std::string> damaged) {
  ManifestRejects r;
  r.total = log.total();
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    auto reason = static_cast<RejectReason>(i);
    if (log.count(reason) > 0)
      r.by_reason.emplace_back(RejectReasonName(reason), log.count(reason));
  }
  r.file = log.total() > 0 ? log.path() : "";
  r.damaged_files = std::move(damaged);
  return r;
}

ManifestCorpus CorpusOf(const RefreshOptions& o, const CountedCorpus& c) {
  const CorpusTotals& t = c.counts.totals;
  return ManifestCorpus{RedactUri(o.source.uri),
                        t.documents,
                        t.deleted,
                        t.truncated,
                        t.tokens,
                        t.text_bytes,
                        c.input.bytes_read,
                        c.counts.distinct_terms,
                        t.long_tokens_skipped};
}

MemoryReport MemoryOf(const RefreshOptions& o, const CorpusCounts& c, int threads) {
  MemoryReport m;
  m.budget_bytes = PlanMemory(o, threads).budget;
  m.count_peak_rss_bytes = c.count_peak_rss;
  m.spilled_runs = c.spilled_runs;
  m.spilled_bytes = c.spilled_bytes;
  m.distinct_terms = c.distinct_terms;
  m.kept_terms = c.terms.size();
  m.min_kept_frequency = c.min_kept_frequency;
  m.mining_bound_bytes = MiningBoundBytes(o, c, threads);
  return m;
}

}  // namespace

struct Refresher::Mined {
  Lexicons lex;
  NgramTable ngram_table;
  std::vector<NgramRow> ngrams;  // views ngram_table
};

Refresher::Refresher(const RefreshOptions& options, const Clock* clock, RefreshObserver* observer)
    : options_(options),
      clock_(clock),
      observer_(observer != nullptr ? observer : &quiet_),
      started_(clock->Now()) {}

Refresher::~Refresher() = default;

absl::StatusOr<std::unique_ptr<Refresher>> Refresher::Open(const RefreshOptions& options,
                                                           const Clock* clock,
                                                           RefreshObserver* observer) {
  if ((options.state.full || options.state.reconcile) && options.state.path.empty()) {
    return absl::InvalidArgumentError(
        "--full and --reconcile work on a state: give --state DIR (or auto)");
  }
  std::unique_ptr<Refresher> r(new Refresher(options, clock, observer));
  // The store and the dictionary first: a bad store URI or path should fail before an hour of
  // counting.
  NJ_ASSIGN_OR_RETURN(r->store_, LexiconStore::Open(options.store_uri));
  NJ_RETURN_IF_ERROR(LoadProtectedWords(options.count.tokenizer, &r->options_.lexicons.variants));
  NJ_RETURN_IF_ERROR(LoadDictionary(&r->options_.lexicons));
  std::string rejects_path;
  // A publish round's rejects were quarantined by the count rounds' pods.
  if (!options.rejects_dir.empty() && options.shard.round.empty()) {
    rejects_path =
        fmt::format("{}/{}.jsonl", options.rejects_dir,
                    absl::FormatTime("%Y%m%dT%H%M%E3SZ", r->started_, absl::UTCTimeZone()));
  }
  r->rejects_ = std::make_unique<RejectLog>(rejects_path);
  if (!options.shard.round.empty()) {
    NJ_ASSIGN_OR_RETURN(r->count_, OpenPartsCount(r->options_, r->rejects_.get(), clock));
  } else if (options.state.path.empty()) {
    NJ_ASSIGN_OR_RETURN(r->count_, OpenCorpusCount(r->options_, r->rejects_.get()));
  } else {
    NJ_ASSIGN_OR_RETURN(r->count_, OpenStateCount(r->options_, r->rejects_.get()));
  }
  r->report_.store_uri = RedactUri(options.store_uri);
  r->report_.threads = EffectiveThreads(options.count.threads);
  return r;
}

namespace {}  // namespace

template <typename Fn>
auto Refresher::Stage(std::string_view name, Fn&& fn) {
  observer_->StageBegun(name);
  const auto t = std::chrono::steady_clock::now();
  auto result = fn();
  const double seconds = Since(t);
  report_.stages.emplace_back(std::string(name), seconds);
  observer_->StageEnded(name, seconds);
  return result;
}

absl::StatusOr<RefreshReport> Refresher::Run() {
  const auto t0 = std::chrono::steady_clock::now();
  auto counted = Stage(kCountStage, [&] { return count_->Count(*observer_); });
  NJ_RETURN_IF_ERROR(rejects_->Close());
  if (!counted.ok()) return counted.status();
  report_.corpus = CorpusOf(options_, *counted);
  report_.rejects = RejectsOf(*rejects_, counted->damaged_files);
  report_.update = counted->update;
  report_.state_path = counted->state_path;
  report_.source_retries = counted->input.retries;
  report_.steps = counted->steps;
  report_.memory = MemoryOf(options_, counted->counts, report_.threads);
  NJ_RETURN_IF_ERROR(Stage(kGateStage, [&] { return Gate(*counted); }));
  // A state whose counts have not changed since the active version was published from them,
  // under the same settings, has nothing new to publish (a run killed after publishing, or a
  // night without changes).
  const std::string settings = SettingsDigest(options_);
  if (auto published = count_->PublishedFrom(settings); published && options_.activate) {
    NJ_ASSIGN_OR_RETURN(const std::optional<std::string> current, store_->Current());
    if (current == *published) {
      report_.version = *published;
      report_.state = VersionState::kActive;
      report_.unchanged_since = *published;
      report_.total_seconds = Since(t0);
      report_.peak_rss_bytes = PeakRssBytes();
      return report_;
    }
  }
  NJ_ASSIGN_OR_RETURN(Mined mined, Stage(kMineStage, [&] { return Mine(*counted); }));
  NJ_RETURN_IF_ERROR(Stage(kPublishStage, [&] { return Publish(mined); }));
  if (report_.state == VersionState::kActive) {
    NJ_RETURN_IF_ERROR(count_->MarkPublished(report_.version, settings));
  }
  report_.total_seconds = Since(t0);
  report_.peak_rss_bytes = PeakRssBytes();
  return report_;
}

absl::Status Refresher::Gate(const CountedCorpus& counted) {
  const ManifestRejects& r = report_.rejects;
  if (!r.damaged_files.empty() && options_.on_damaged_file == DamagedFilePolicy::kFail) {
    return absl::FailedPreconditionError(fmt::format(
        "{} input file(s) could not be read to their end ({}): what they held past the damage is "
        "lost; nothing published (corpus.on_damaged_file = skip publishes without them)",
        r.damaged_files.size(), fmt::join(r.damaged_files, ", ")));
  }
  const CorpusTotals& t = counted.counts.totals;
  const uint64_t records = t.documents + t.deleted + r.total;
  const double share =
      records == 0 ? 0.0 : static_cast<double>(r.total) / static_cast<double>(records);
  if (share > options_.max_reject_share) {
    return absl::FailedPreconditionError(fmt::format(
        "{} of {} records rejected ({:.2f}%, over corpus.max_reject_share {:.2f}%): {}; "
        "quarantined in {}; nothing published",
        r.total, records, share * 100, options_.max_reject_share * 100, RejectBreakdown(r),
        r.file.empty() ? "(no rejects_dir)" : r.file));
  }
  if (t.documents == 0) {
    return absl::FailedPreconditionError(
        fmt::format("the corpus {} yielded no documents ({} rejected); nothing published",
                    report_.corpus.uri, r.total));
  }
  return absl::OkStatus();
}

absl::StatusOr<Refresher::Mined> Refresher::Mine(CountedCorpus& counted) {
  const int threads = report_.threads;
  CorpusCounts& counts = counted.counts;
  Mined out;
  MiningTrace times;
  NJ_ASSIGN_OR_RETURN(out.lex, MineLexicons(counts, count_->Reopen(), options_.count.tokenizer,
                                            options_.lexicons, threads, std::move(counts.caches),
                                            &times, counted.passes ? &*counted.passes : nullptr));
  // Derived from the term counts only now, so that the table is not held through mining.
  out.ngram_table = NgramTable::FromTerms(counts.terms, options_.count.ngram_min,
                                          options_.count.ngram_max, threads);
  out.ngrams = out.ngram_table.Sorted();
  report_.second_pass_cached = times.second_pass_cached;
  report_.third_pass_cached = times.third_pass_cached;
  // The mining stages, inside kMineStage (which the Stage wrapper records after them).
  report_.stages.insert(report_.stages.end(), times.stages.begin(), times.stages.end());
  report_.steps.insert(report_.steps.end(), times.steps.begin(), times.steps.end());
  return out;
}

absl::Status Refresher::Publish(const Mined& mined) {
  NJ_ASSIGN_OR_RETURN(auto builder, store_->Begin(started_));
  report_.version = builder->version();
  VersionValidator validator(options_.validation);
  NJ_RETURN_IF_ERROR(WriteLexicons(mined.lex, mined.ngrams, options_, started_, report_.threads,
                                   *builder, validator));
  NJ_ASSIGN_OR_RETURN(std::vector<LexiconFileInfo> files, builder->Seal());

  // Gates, against the active version.
  NJ_ASSIGN_OR_RETURN(const std::optional<std::string> active, store_->Current());
  std::optional<Manifest> active_manifest;
  if (active) {
    NJ_ASSIGN_OR_RETURN(active_manifest, store_->ReadManifest(*active));
  }
  const ValidationReport gates =
      validator.Finish(files, active_manifest ? &*active_manifest : nullptr);
  const bool passed = gates.passed();
  report_.forced = !passed && options_.force;
  report_.validation_json = gates.Json();
  for (const auto& f : files) report_.sizes.emplace_back(f.name, f.records);

  Manifest m;
  m.version = report_.version;
  m.created_at = FormatUtc(started_);
  m.committed_at = FormatUtc(clock_->Now());
  m.corpus = report_.corpus;
  m.rejects = report_.rejects;
  m.lexicons = std::move(files);
  m.validation_json = report_.validation_json;
  m.incremental_json = report_.IncrementalJson();
  m.compared_with = active.value_or("");
  m.forced = report_.forced;
  m.top_words = validator.TopWords();
  m.text = options_.count.tokenizer;
  m.settings = ManifestSettings(options_);
  const std::string failure = gates.FirstFailure();
  NJ_RETURN_IF_ERROR(builder->Commit(m, passed ? VersionState::kValidated : VersionState::kRejected,
                                     passed ? "" : failure));
  report_.state = passed ? VersionState::kValidated : VersionState::kRejected;
  if (!passed && !options_.force) {
    return absl::FailedPreconditionError(fmt::format(
        "version {} rejected by validation gate {}; the active version ({}) is unchanged; "
        "`nightjar versions show {}` has the report, --force overrides",
        report_.version, failure, active.value_or("none"), report_.version));
  }
  return options_.activate ? Activate() : absl::OkStatus();
}

absl::Status Refresher::Activate() {
  ActivateRequest request;
  request.version = report_.version;
  request.actor = "refresh";
  request.force = options_.force;
  request.now = clock_->Now();
  NJ_RETURN_IF_ERROR(store_->Activate(request).status());
  report_.state = VersionState::kActive;
  if (!options_.retention.after_refresh) return absl::OkStatus();
  NJ_ASSIGN_OR_RETURN(PruneResult pruned,
                      PruneVersions(*store_, clock_->Now(), options_.retention.max_age(),
                                    /*dry_run=*/false));
  report_.pruned = std::move(pruned.deleted);
  return absl::OkStatus();
}

}  // namespace nightjar
