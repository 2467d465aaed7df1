#include "cli/refresh.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "obs/progress.h"
#include "obs/push.h"
#include "refresh/refresh_metrics.h"
#include "refresh/refresher.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// Draws the count stage's progress line on stderr.
class ProgressObserver : public RefreshObserver {
 public:
  void Counting(std::function<ProgressSample()> sample) override {
    reporter_.reset();  // prints its final line
    if (sample) reporter_ = std::make_unique<ProgressReporter>("refresh", std::move(sample));
  }

 private:
  std::unique_ptr<ProgressReporter> reporter_;
};

// What a retry may cure: not bad config or input (InvalidArgument), not a data gate or a
// precondition (FailedPrecondition: too many rejects, a failed validation gate).
bool Retryable(const absl::Status& st) {
  return !absl::IsInvalidArgument(st) && !absl::IsFailedPrecondition(st) && !absl::IsNotFound(st);
}

// Pushes the run's outcome and writes the textfile, as configured; failures only warn.
void ReportMetrics(const RunOptions& o, const RefreshReport& report, const absl::Status& outcome,
                   absl::Time ended, double seconds, int attempts) {
  if (o.pushgateway.empty() && o.textfile.empty()) return;
  const std::string text = RefreshMetricsText(report, outcome, ended, seconds, attempts);
  if (!o.pushgateway.empty()) {
    if (absl::Status st = PushToGateway(o.pushgateway, o.job, text); !st.ok()) {
      std::fprintf(stderr, "nightjar refresh: metrics not pushed: %s\n",
                   std::string(st.message()).c_str());
    }
  }
  if (!o.textfile.empty()) {
    if (absl::Status st = WriteTextfile(o.textfile, text); !st.ok()) {
      std::fprintf(stderr, "nightjar refresh: metrics textfile not written: %s\n",
                   std::string(st.message()).c_str());
    }
  }
}

}  // namespace

absl::StatusOr<RefreshReport> RunRefresh(const Config& config, bool quiet, const Clock& clock) {
  return RunRefresh(config, quiet, clock, nullptr);
}

absl::StatusOr<RefreshReport> RunRefresh(const Config& config, bool quiet, const Clock& clock,
                                         RefreshObserver* observer) {
  ProgressObserver progress;
  if (observer == nullptr && !quiet) observer = &progress;
  const absl::Time start = clock.Now();
  absl::Status outcome;
  RefreshReport report;
  int attempt = 1;
  for (;; ++attempt) {
    // Bad config or an unreachable store fails Open: reported as a failed run (and the second
    // retried as any other).
    auto refresher = Refresher::Open(config, &clock, observer);
    if (refresher.ok()) {
      absl::StatusOr<RefreshReport> run = (*refresher)->Run();
      report = run.ok() ? *run : (*refresher)->report();
      outcome = run.status();
    } else {
      outcome = refresher.status();
    }
    if (outcome.ok() || !Retryable(outcome) || attempt >= config.run.max_attempts) break;
    const double wait =
        config.run.retry_backoff_s * static_cast<double>(1 << std::min(attempt - 1, 16));
    std::fprintf(stderr, "nightjar refresh: attempt %d of %d failed (%s); again in %.0fs\n",
                 attempt, config.run.max_attempts, std::string(outcome.message()).c_str(), wait);
    absl::SleepFor(absl::Seconds(wait));
  }
  ReportMetrics(config.run, report, outcome, clock.Now(),
                absl::ToDoubleSeconds(clock.Now() - start), attempt);
  if (!outcome.ok()) return outcome;
  return report;
}

namespace {

// Said only when the budget changed something: counts spilled, or terms past count.max_terms.
std::string MemoryLine(const MemoryReport& m) {
  if (m.spilled_runs == 0 && m.kept_terms == m.distinct_terms) return "";
  return fmt::format(
      "\n  memory: budget {:.0f} MB, {:.0f} MB when counted; {} runs spilled ({:.1f} MB); "
      "{} of {} terms kept for mining (frequency >= {}), mining bound {:.0f} MB",
      static_cast<double>(m.budget_bytes) / 1e6, static_cast<double>(m.count_peak_rss_bytes) / 1e6,
      m.spilled_runs, static_cast<double>(m.spilled_bytes) / 1e6, m.kept_terms, m.distinct_terms,
      m.min_kept_frequency, static_cast<double>(m.mining_bound_bytes) / 1e6);
}

}  // namespace

std::string RefreshSummaryText(const RefreshReport& r) {
  std::string rejects;
  for (const auto& [reason, n] : r.rejects.by_reason) {
    rejects += fmt::format("{}{} {}", rejects.empty() ? " (" : ", ", reason, n);
  }
  if (!rejects.empty()) rejects += ") -> " + r.rejects.file;
  if (!r.rejects.damaged_files.empty()) {
    rejects += fmt::format("; damaged files skipped: {}", fmt::join(r.rejects.damaged_files, ", "));
  }
  const ManifestCorpus& c = r.corpus;
  if (!r.unchanged_since.empty()) {
    return fmt::format(
        "unchanged since {}: the state's counts and the settings are those it was "
        "published from; nothing published (state {})",
        r.unchanged_since, r.state_path);
  }
  std::string state;
  if (r.update) {
    const UpdateReport& u = *r.update;
    state = fmt::format(
        "\n  state {}: {} inputs skipped unchanged, {} documents seen, {} unchanged, {} added, {} "
        "modified, {} deleted ({} gone), {} stale, "
        "{} duplicates, {} checkpoints; mining replayed the state's {} documents",
        r.state_path, u.skipped_inputs, u.seen, u.unchanged, u.added, u.modified, u.deleted, u.gone,
        u.stale, u.duplicates, u.checkpoints, c.documents);
  }
  return fmt::format(
      "{} {} in {}{}\n"
      "  documents {} (deleted {}, truncated {}), rejected {}{}\n"
      "  tokens {}, distinct terms {}, spelling words {}, corrections {}, n-grams {}\n"
      "  phrases {}, acronyms {}, related-term lists {}, expansion lists {}, bigram lists {}\n"
      "  {:.1f} MB input, {:.1f} MB text on {} threads: count stage {:.2f}s ({:.1f} MB/s), "
      "whole run {:.2f}s ({:.1f} MB/s); peak RSS {:.0f} MB{}{}{}",
      r.state == VersionState::kActive ? "activated" : VersionStateName(r.state), r.version,
      r.store_uri, r.pruned.empty() ? "" : fmt::format(" (pruned {})", fmt::join(r.pruned, ", ")),
      c.documents, c.deleted, c.truncated, r.rejects.total, rejects, c.tokens, c.distinct_terms,
      r.Records("spelling"), r.Records("corrections"), r.Records("ngrams"), r.Records("phrases"),
      r.Records("acronyms"), r.Records("related"), r.Records("expansions"), r.Records("bigrams"),
      static_cast<double>(c.input_bytes) / 1e6, static_cast<double>(c.text_bytes) / 1e6, r.threads,
      r.Seconds("count"), r.CountInputMBps(), r.total_seconds, r.RunInputMBps(),
      static_cast<double>(r.peak_rss_bytes) / 1e6, MemoryLine(r.memory),
      r.source_retries > 0
          ? fmt::format("\n  the source recovered from {} transient failures", r.source_retries)
          : "",
      state);
}

}  // namespace nightjar
