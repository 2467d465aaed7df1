#ifndef NIGHTJAR_REFRESH_SHARD_ROUNDS_H_
#define NIGHTJAR_REFRESH_SHARD_ROUNDS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "corpus/reject.h"
#include "refresh/count_stage.h"
#include "refresh/refresh_options.h"

namespace nightjar {

// A sharded refresh (docs/scaling.md): each round is an idempotent command whose inputs and
// outputs are objects in a PartStore (options.shard.parts), under the run id options.shard.run.

// The object a round's shard writes: "runs/RUN/ROUND/part-IIIII-of-NNNNN".
std::string ShardPartName(std::string_view run, std::string_view round, uint32_t index,
                          uint32_t count);

// What a count round did, for its summary.
struct CountRoundReport {
  std::string parts_uri, part;  // where the part went
  uint32_t index = 0, count = 1;
  uint64_t documents = 0, deleted = 0, distinct_terms = 0, rejected = 0;
  uint64_t input_bytes = 0, part_bytes = 0;
  std::string rejects_file;  // this pod's quarantine of its rejected records ("" = none)
  double seconds = 0;
  std::string ToJson() const;
  std::string Text() const;
};

// Checks options.shard for a round: a known round, index < count, parts and run given (a
// valid run id). InvalidArgument naming the setting.
[[nodiscard]] absl::Status CheckShardSettings(const ShardSettings& shard);

// The count round: counts shard options.shard.index of options.shard.count of the corpus (its
// share of the inputs, SourceOptions::shard) and writes its CountSnapshot as the part
// ShardPartName(run, "count", index, count). The part's bytes depend only on the shard's
// documents and the counting settings, so running the round again, or two pods running the
// same shard at once, leaves the same object. Writes nothing when the source fails, or an
// input is damaged under corpus.on_damaged_file = fail.
[[nodiscard]] absl::StatusOr<CountRoundReport> RunCountRound(const RefreshOptions& options,
                                                             absl::Time started);

// The publish round's count stage: the sum of the run's options.shard.count count parts, each
// checked (present, undamaged, made with this refresh's counting settings, for this shard of
// this count), capped at count.max_terms as a single count is. The mining passes read the whole
// corpus. A missing or damaged part fails Count with a message naming it, and nothing is
// published. So does an id that two parts both hold or a tombstone (the last-copy rule of
// docs/state.md needs every copy of an id in one place; sharded runs do not apply it yet).
// `rejects` receives the parts' reject counts; it must outlive the stage.
[[nodiscard]] absl::StatusOr<std::unique_ptr<CountStage>> OpenPartsCount(
    const RefreshOptions& options, RejectLog* rejects);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_SHARD_ROUNDS_H_
