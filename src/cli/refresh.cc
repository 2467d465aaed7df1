#include "cli/refresh.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "obs/progress.h"
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

}  // namespace

absl::StatusOr<RefreshReport> RunRefresh(const Config& config, bool quiet, const Clock& clock) {
  ProgressObserver progress;
  NJ_ASSIGN_OR_RETURN(auto refresher, Refresher::Open(config, &clock, quiet ? nullptr : &progress));
  return refresher->Run();
}

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
      "  phrases {}, acronyms {}, related-term lists {}, expansion lists {}\n"
      "  {:.1f} MB input, {:.1f} MB text on {} threads: count stage {:.2f}s ({:.1f} MB/s), "
      "whole run {:.2f}s ({:.1f} MB/s); peak RSS {:.0f} MB{}{}",
      r.state == VersionState::kActive ? "activated" : VersionStateName(r.state), r.version,
      r.store_uri, r.pruned.empty() ? "" : fmt::format(" (pruned {})", fmt::join(r.pruned, ", ")),
      c.documents, c.deleted, c.truncated, r.rejects.total, rejects, c.tokens, c.distinct_terms,
      r.Records("spelling"), r.Records("corrections"), r.Records("ngrams"), r.Records("phrases"),
      r.Records("acronyms"), r.Records("related"), r.Records("expansions"),
      static_cast<double>(c.input_bytes) / 1e6, static_cast<double>(c.text_bytes) / 1e6, r.threads,
      r.Seconds("count"), r.CountInputMBps(), r.total_seconds, r.RunInputMBps(),
      static_cast<double>(r.peak_rss_bytes) / 1e6,
      r.source_retries > 0
          ? fmt::format("\n  the source recovered from {} transient failures", r.source_retries)
          : "",
      state);
}

}  // namespace nightjar
