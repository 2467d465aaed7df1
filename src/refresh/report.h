#ifndef NIGHTJAR_REFRESH_REPORT_H_
#define NIGHTJAR_REFRESH_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state/updater.h"
#include "store/manifest.h"
#include "store/version_state.h"

namespace nightjar {

// How the run's memory went: the budget of the read, count and update phases, what spilled,
// the cap on mining's vocabulary, and mining's own bound (MiningBoundBytes).
struct MemoryReport {
  uint64_t budget_bytes = 0;          // refresh.memory_budget_mb
  uint64_t count_peak_rss_bytes = 0;  // peak RSS when counting was done (before mining's load)
  uint64_t spilled_runs = 0;          // term tables written to sorted runs
  uint64_t spilled_bytes = 0;
  uint64_t distinct_terms = 0;      // counted
  uint64_t kept_terms = 0;          // kept for mining (count.max_terms)
  uint64_t min_kept_frequency = 1;  // the lowest frequency kept (1: all)
  uint64_t mining_bound_bytes = 0;  // MiningBoundBytes for the kept terms
};

// What one refresh did: the run summary, for people (cli) and machines (--json, job progress).
struct RefreshReport {
  std::string version;                                  // the version built
  VersionState state = VersionState::kBuilding;         // kActive, kValidated or kRejected
  bool forced = false;                                  // activated although a gate failed
  std::string store_uri;                                // credentials redacted
  ManifestCorpus corpus;                                // corpus statistics (uri redacted)
  ManifestRejects rejects;                              // rejected records by reason, damaged files
  std::vector<std::pair<std::string, uint64_t>> sizes;  // published records per lexicon
  std::string validation_json = "{}";                   // ValidationReport::Json()
  std::vector<std::string> pruned;                      // versions deleted by retention
  std::string state_path;              // the state a stateful run used; "" for a stateless one
  std::optional<UpdateReport> update;  // what a stateful run changed in its state
  // The active version, when the state's counts and the settings had not changed since it was
  // published from them: nothing was mined or published.
  std::string unchanged_since;
  int threads = 1;
  bool second_pass_cached = false;  // the second pass read the first's kept text
  bool third_pass_cached = false;   // the third pass read the second's kept text
  // Seconds per stage (kCountStage, ... in observer.h) and per finer step, in the order run.
  std::vector<std::pair<std::string, double>> stages;
  std::vector<std::pair<std::string, double>> steps;
  double total_seconds = 0;
  uint64_t peak_rss_bytes = 0;
  MemoryReport memory;
  uint64_t source_retries = 0;  // transient source failures retried (a lost connection, ...)

  // Seconds of the stage or step `name`; 0 when it did not run.
  double Seconds(std::string_view name) const;
  // Records published in `lexicon`; 0 when none.
  uint64_t Records(std::string_view lexicon) const;
  // Input megabytes per second of the count stage alone, and of the whole run.
  double CountInputMBps() const;
  double RunInputMBps() const;

  // The "incremental" object of the summary and the manifest: what the run changed in its
  // state; "null" for a stateless run.
  std::string IncrementalJson() const;
  // The --json summary: {"version","state","store","corpus","rejects","lexicons",...}.
  std::string ToJson() const;
};

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_REPORT_H_
