#ifndef NIGHTJAR_STATE_PASS_SNAPSHOT_H_
#define NIGHTJAR_STATE_PASS_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "count/cooccurrence_counter.h"
#include "count/phrase_counter.h"

namespace nightjar {

// One shard's counts of a mining pass, as a sharded refresh's phrases and context rounds write
// them for the rounds after to merge (docs/scaling.md). Each names the inputs it was counted
// against, so that a part counted against other merged counts, or under other settings, is
// refused rather than summed.
struct PassSnapshotHeader {
  std::string identity;  // the settings the counts depend on (counting and mining)
  uint64_t inputs = 0;   // a digest of the parts the round read (ShardInputsDigest)
  uint32_t shard = 0;    // this part's index, < shards
  uint32_t shards = 1;
  bool operator==(const PassSnapshotHeader&) const = default;
};

// The second pass's counts of a shard: bigrams, trigrams (abbreviations stay with the first
// pass's counts).
struct PhraseSnapshot {
  PassSnapshotHeader header;
  PhraseCounts counts;  // flushed
};

// The third pass's counts of a shard, over `units` units and `slots` spelling slots.
struct ContextSnapshot {
  PassSnapshotHeader header;
  uint64_t units = 0, slots = 0;  // the bounds: pairs units x units, contexts slots x units
  CooccurrenceCounts counts;      // flushed
};

// The formats, written only by the Encode and read only by the Decode functions here, framed
// by state/snapshot_file.h (magic, version, zstd body, XXH3 trailer) with bodies of varints:
// the header, then the counts in key order (bigrams sorted by key, the sorted pair counts as
// ForEach hands them out), so the bytes are a pure function of the counts.
inline constexpr std::string_view kPhraseSnapshotMagic = "NJPHRASE";
inline constexpr std::string_view kContextSnapshotMagic = "NJCONTXT";
inline constexpr uint32_t kPassSnapshotVersion = 1;

std::string EncodePhraseSnapshot(PhraseSnapshot& snapshot);    // flushes the counts
std::string EncodeContextSnapshot(ContextSnapshot& snapshot);  // flushes the counts
// DataLoss naming the problem when damaged; FailedPrecondition for another format version.
[[nodiscard]] absl::StatusOr<PhraseSnapshot> DecodePhraseSnapshot(std::string_view bytes);
[[nodiscard]] absl::StatusOr<ContextSnapshot> DecodeContextSnapshot(std::string_view bytes);

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_PASS_SNAPSHOT_H_
