#ifndef NIGHTJAR_REFRESH_SHARD_PARTS_H_
#define NIGHTJAR_REFRESH_SHARD_PARTS_H_

// Reading a sharded run's parts back and merging them (internal to refresh/; the rounds are in
// shard_rounds.h). Every reader checks each part: present, undamaged, for its shard, made with
// this run's settings and from the same inputs, and names the part when one is not.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "count/cooccurrence_counter.h"
#include "count/corpus_counter.h"
#include "count/phrase_counter.h"
#include "refresh/refresh_options.h"
#include "store/part_store.h"

namespace nightjar {

// The round names, and where a round's shard writes its part: "runs/RUN/ROUND/part-I-of-N".
inline constexpr std::string_view kCountRound = "count";
inline constexpr std::string_view kPhrasesRound = "phrases";
inline constexpr std::string_view kContextRound = "context";
inline constexpr std::string_view kPublishRound = "publish";
std::string ShardPartName(std::string_view run, std::string_view round, uint32_t index,
                          uint32_t count);

// The run's count parts, summed and capped at count.max_terms as one node's count is.
struct MergedCounts {
  CorpusCounts counts;
  uint64_t digest = 0;  // of the parts read: what the later rounds' parts must name
  uint64_t input_bytes = 0;
  std::vector<std::pair<std::string, uint64_t>> rejects;  // by reason name, summed
  std::vector<std::string> damaged_files;
  // By shard: the digest of the state its part was counted from (nullopt: counted from the
  // corpus).
  std::vector<std::optional<uint64_t>> states;
};
// Fails, naming the counts, when an id is live in two parts, or a tombstone was read without a
// state (only a state applies it), or one shard's state holds a tombstone of an id another
// shard holds live.
[[nodiscard]] absl::StatusOr<MergedCounts> ReadCountParts(PartStore& parts,
                                                          const RefreshOptions& options);

// The run's phrase parts, summed; each must name `inputs` (the count parts' digest). *digest
// receives `inputs` chained with these parts.
[[nodiscard]] absl::StatusOr<PhraseCounts> ReadPhraseParts(PartStore& parts,
                                                           const RefreshOptions& options,
                                                           uint64_t inputs, uint64_t* digest);

// The run's context parts, summed; each must name `inputs` (the phrase parts' chained digest).
[[nodiscard]] absl::StatusOr<CooccurrenceCounts> ReadContextParts(PartStore& parts,
                                                                  const RefreshOptions& options,
                                                                  uint64_t inputs);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_SHARD_PARTS_H_
