#ifndef NIGHTJAR_REFRESH_COUNT_STAGE_H_
#define NIGHTJAR_REFRESH_COUNT_STAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document_source.h"
#include "count/corpus_counter.h"
#include "lexicon/lexicon_builder.h"
#include "refresh/observer.h"
#include "refresh/refresh_options.h"
#include "state/state_store.h"
#include "state/updater.h"

namespace nightjar {

// What the count stage hands to mining.
struct CountedCorpus {
  CorpusCounts counts;
  SourceProgress input;                    // where the source ended
  std::vector<std::string> damaged_files;  // inputs that could not be read to their end
  std::optional<UpdateReport> update;      // what a stateful run changed in its state
  // The mining passes' counts when the stage has them already (a sharded publish round merged
  // its shards' parts): mining then reads no corpus.
  std::optional<PassCounts> passes;
  // The state the counts came from: options.state's, or "(temporary)" when a stateless run met
  // duplicate ids or tombstones and recounted through a state of its own; "" for none.
  std::string state_path;
  // Seconds of the count stage's parts (a stateful one's: "state_update", "state_flush",
  // "state_load"), in the order run.
  std::vector<std::pair<std::string, double>> steps;
};

// The count stage's seam: where the counts that the lexicons are mined from come from. The
// stateless refresh reads the whole corpus (OpenCorpusCount); incremental state and shards plug
// in here with counts of their own. Not thread-safe; Count is called once.
class CountStage {
 public:
  virtual ~CountStage() = default;
  // Counts, reporting rejected records to the RejectLog given at open and progress to
  // `observer`. Fails only when the source as a whole fails.
  [[nodiscard]] virtual absl::StatusOr<CountedCorpus> Count(RefreshObserver& observer) = 0;
  // Opens a fresh read of the corpus, for mining passes that need its text again. Valid for the
  // stage's lifetime.
  virtual SourceFactory Reopen() = 0;
  // After Count: the version published from exactly these counts under `settings` (a digest
  // of everything else the lexicons depend on), if a stateful stage recorded one.
  virtual std::optional<std::string> PublishedFrom(std::string_view settings) {
    return std::nullopt;
  }
  // Records that `version` was published, and activated, from these counts under `settings`.
  [[nodiscard]] virtual absl::Status MarkPublished(std::string_view version,
                                                   std::string_view settings) {
    return absl::OkStatus();
  }
  // The persistent state the counts come from, if the stage keeps one; valid for the stage's
  // lifetime.
  virtual const StateStore* state() const { return nullptr; }
};

// A CountStage that reads every document of options.source. The source is opened here, so that
// a bad URI fails before anything is counted. `rejects` must outlive the stage.
[[nodiscard]] absl::StatusOr<std::unique_ptr<CountStage>> OpenCorpusCount(
    const RefreshOptions& options, RejectLog* rejects);

// A CountStage over the persistent state at options.state.path (see StateSettings): reads the
// corpus in order, applies every document to the state (StateUpdater: changed documents
// subtract their old contribution, tombstones remove theirs, checkpoints every
// state.checkpoint_docs), then hands mining the state's counts, and its live documents as the
// text to replay. The state is opened (and locked) here. `rejects` must outlive the stage.
[[nodiscard]] absl::StatusOr<std::unique_ptr<CountStage>> OpenStateCount(
    const RefreshOptions& options, RejectLog* rejects);

// What a state's counts depend on besides the documents (tokenizer settings, text fields, size
// cap), as one string: a state made with another must not be added to (StateOptions::identity).
std::string StateIdentity(const RefreshOptions& options);

// The state directory options.state.path names ("auto" resolved against the store URI; a
// sharded round's "auto" is a directory of its shard's own, state-shards/shard-I-of-N beside
// where one node's state would be).
std::string StatePath(const RefreshOptions& options);

// How options open their state: StatePath, and StateIdentity with the shard I/N of a sharded
// round (a shard's state is refused for another shard or another N), and the memory plan's
// share.
StateOptions StateOptionsFor(const RefreshOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_COUNT_STAGE_H_
