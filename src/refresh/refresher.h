#ifndef NIGHTJAR_REFRESH_REFRESHER_H_
#define NIGHTJAR_REFRESH_REFRESHER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "corpus/reject.h"
#include "refresh/count_stage.h"
#include "refresh/observer.h"
#include "refresh/refresh_options.h"
#include "refresh/report.h"
#include "store/lexicon_store.h"
#include "util/clock.h"

namespace nightjar {

// One refresh: count the corpus, gate on rejects and damage, mine every lexicon, publish a
// version (build, validate, seal, commit, activate, prune). The stages are named in observer.h
// and reported to the observer as they run. Not thread-safe; Run is called once.
class Refresher {
 public:
  // Opens the store, the protected-words file and the corpus, so that a bad URI, path or
  // setting fails (InvalidArgument naming it) before anything is counted. `clock` and
  // `observer` must outlive the refresher; `observer` may be null.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Refresher>> Open(
      const RefreshOptions& options, const Clock* clock, RefreshObserver* observer);

  // Runs every stage. On success the version is active (or validated, without
  // options.activate). Fails, leaving the active version as it was, with FailedPrecondition
  // when too many records were rejected, an input file was damaged (on_damaged_file = fail),
  // the corpus held no documents, or a gate rejected the version (kept as `rejected`, the
  // error names the gate; options.force overrides); with another code when the source or the
  // store fails.
  [[nodiscard]] absl::StatusOr<RefreshReport> Run();
  // What the run got to, after Run returned: the whole report on success, and as far as it
  // went on a failure (a version rejected by a gate has its state and validation here).
  const RefreshReport& report() const { return report_; }

  ~Refresher();

 private:
  struct Mined;
  Refresher(const RefreshOptions& options, const Clock* clock, RefreshObserver* observer);
  [[nodiscard]] absl::Status Gate(const CountedCorpus& counted);
  [[nodiscard]] absl::StatusOr<Mined> Mine(CountedCorpus& counted);
  [[nodiscard]] absl::Status Publish(const Mined& mined);
  [[nodiscard]] absl::Status Activate();
  // Runs fn as the named stage: observer calls, the stage's time in the report.
  template <typename Fn>
  auto Stage(std::string_view name, Fn&& fn);

  RefreshOptions options_;
  const Clock* clock_;
  RefreshObserver* observer_;
  RefreshObserver quiet_;  // observer_ when none was given
  absl::Time started_;
  std::unique_ptr<LexiconStore> store_;
  std::unique_ptr<RejectLog> rejects_;
  std::unique_ptr<CountStage> count_;
  RefreshReport report_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_REFRESHER_H_
