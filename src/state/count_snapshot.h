#ifndef NIGHTJAR_STATE_COUNT_SNAPSHOT_H_
#define NIGHTJAR_STATE_COUNT_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "count/corpus_counter.h"

namespace nightjar {

// The first-order counts of one shard of a corpus, as a sharded refresh's count round writes
// them for the next round to merge: every term (uncapped), the totals, the abbreviation
// definitions and the sorted id hashes of the documents counted, so that the merge can tell an
// id that two shards both hold. Counts merge by addition, so the merge of all shards'
// snapshots equals a count of the whole corpus. A shard that keeps incremental state
// (docs/scaling.md) names the state's content, whose live documents its pass rounds replay.
struct CountSnapshot {
  std::string identity;  // what the counts depend on besides the documents (StateIdentity)
  uint32_t shard = 0;    // this part's index, < shards
  uint32_t shards = 1;
  CorpusTotals totals;
  TermTable terms;
  AbbreviationCounts abbreviations;
  // DocumentIdHash of each document counted, ascending: every copy read (tombstones included)
  // without a state; the state's live documents with one.
  std::vector<uint64_t> id_hashes;
  std::vector<uint64_t> tombstone_hashes;  // with a state: its tombstones' hashes, ascending
  // Counted from a state (not from the corpus), whose live documents had this
  // StateStore::IdIndex::digest: what the shard's pass rounds replay.
  bool from_state = false;
  uint64_t state_digest = 0;
  uint64_t input_bytes = 0;  // input bytes the shard read
  // Records the shard rejected, by reason name ("bad_json", ...), in reason order, and the
  // inputs it could not read to their end: what the publish round's gates and manifest need.
  std::vector<std::pair<std::string, uint64_t>> rejects;
  std::vector<std::string> damaged_files;
};

// The file format, written only by EncodeCountSnapshot and read only by DecodeCountSnapshot:
// kCountSnapshotMagic, the format version (u32, little-endian), the body (zstd: varints and
// length-prefixed strings, terms and abbreviations in bytewise key order, id and tombstone
// hashes as ascending deltas, whether counted from a state and its digest), then the XXH3-64 of
// everything before it (u64, little-endian). The bytes are a pure function of the snapshot's
// counts: the same shard counted twice gives the same file.
inline constexpr std::string_view kCountSnapshotMagic = "NJCOUNTS";
inline constexpr uint32_t kCountSnapshotVersion = 2;  // 2: tombstone hashes and the state

std::string EncodeCountSnapshot(const CountSnapshot& snapshot);

// DataLoss naming the problem when `bytes` is damaged or not a snapshot (bad magic, checksum,
// truncated body); FailedPrecondition for another format version.
[[nodiscard]] absl::StatusOr<CountSnapshot> DecodeCountSnapshot(std::string_view bytes);

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_COUNT_SNAPSHOT_H_
