#ifndef NIGHTJAR_REFRESH_SHARD_ROUNDS_H_
#define NIGHTJAR_REFRESH_SHARD_ROUNDS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "corpus/reject.h"
#include "refresh/count_stage.h"
#include "refresh/refresh_options.h"
#include "state/updater.h"
#include "util/clock.h"

namespace nightjar {

// A sharded refresh (docs/scaling.md) is four rounds, each an idempotent command whose inputs
// and outputs are objects in a PartStore (options.shard.parts) under the run id
// options.shard.run. With N shards:
//   count    N pods: the shard's first-order counts            -> runs/RUN/count/part-I-of-N
//   phrases  N pods: the second pass over the shard, against the vocabulary of the merged count
//            parts                                            -> runs/RUN/phrases/part-I-of-N
//   context  N pods: the third pass over the shard, against the units and spelling candidates
//            selected from the merged count and phrase parts  -> runs/RUN/context/part-I-of-N
//   publish  1 pod: merges all parts, mines, validates and publishes one version (the corpus is
//            not read).
// A part's bytes depend only on the shard's documents, the settings and the parts it read, so
// running a round again, or two pods running the same shard at once, writes the same object.
// A part that is missing, damaged, made with other settings or from other parts fails the round
// that reads it with a message naming the part, and the publish round then publishes nothing.
// With options.state.path, each shard keeps its own incremental state (StateOptionsFor): the
// count round applies what changed in its share of the corpus to the state, as a single-node
// incremental refresh does, and the pass rounds replay the state's live documents instead of
// reading the corpus again.

// What a shard's round did, for its summary.
struct RoundReport {
  std::string round, parts_uri, part;  // where the part went
  uint32_t index = 0, count = 1;
  uint64_t documents = 0;  // documents the shard holds (count round)
  uint64_t deleted = 0, distinct_terms = 0, rejected = 0, input_bytes = 0;  // count round
  uint64_t part_bytes = 0;
  std::string rejects_file;  // this pod's quarantine of its rejected records ("" = none)
  // A count round with --state: the state and what the round changed in it.
  std::string state_path;
  std::optional<UpdateReport> update;
  double seconds = 0;
  std::string ToJson() const;
  std::string Text() const;
};

// Checks options.shard: a known round, index < count, parts and run given (a valid run id).
// InvalidArgument naming the setting.
[[nodiscard]] absl::Status CheckShardSettings(const ShardSettings& shard);

// Runs the shard round options.shard.round ("count", "phrases" or "context") for shard
// options.shard.index, and writes its part. The count round reads the shard's share of the
// corpus (SourceOptions::shard; with a state, only what changed) and quarantines its rejects;
// the pass rounds read the same share again (or the state's live documents, when the count
// round counted from a state: FailedPrecondition unless the state is still the one counted) and
// the merged parts of the rounds before. Writes nothing when a source or a part it needs
// fails, or an input is damaged under corpus.on_damaged_file = fail.
[[nodiscard]] absl::StatusOr<RoundReport> RunShardRound(const RefreshOptions& options,
                                                        absl::Time started);

// The publish round's count stage: the merged count parts (capped at count.max_terms as one
// node's count is), and the merged phrase and context parts as CountedCorpus::passes, so that
// mining reads no corpus. An id that two count parts both hold, a tombstone counted without a
// state, or one shard's tombstone of an id another shard holds, fails Count (the last-copy rule
// of docs/state.md needs every copy of an id in one place). options.state.path must be empty.
// `rejects` receives the count parts' reject counts; it must outlive the stage, as must `clock`,
// which dates shard.retention_days' pruning of other runs' parts once the version is active
// (MarkPublished).
[[nodiscard]] absl::StatusOr<std::unique_ptr<CountStage>> OpenPartsCount(
    const RefreshOptions& options, RejectLog* rejects, const Clock* clock);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_SHARD_ROUNDS_H_
