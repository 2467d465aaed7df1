#ifndef NIGHTJAR_STATE_COUNT_MERGE_H_
#define NIGHTJAR_STATE_COUNT_MERGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/merge_operator.h"

namespace nightjar {

// A stored count value: kCountsTag, then `width` signed 64-bit little-endian integers (a term's
// frequency and document frequency, a total, an abbreviation's count). Written only by
// EncodeCounts, read only by DecodeCounts.
inline constexpr uint8_t kCountsTag = 0xC1;  // counts, format 1

std::string EncodeCounts(std::span<const int64_t> counts);
// The integers of `value`; nullopt when it is not a well-formed count value.
std::optional<std::vector<int64_t>> DecodeCounts(std::string_view value);

// The merge operator of every count column: operands are count values of one width, added
// element by element. Counts merge by addition, so a checkpoint writes deltas (negative for
// what a modified or deleted document took away) without reading the stored counts. Unlike
// RocksDB's uint64add, which reads a malformed operand as 0, a malformed operand, a width
// mismatch or an overflow fails the merge, and RocksDB reports Corruption on the read or
// compaction that meets it. Thread-safe (stateless).
class CountMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* logger) const override;
  const char* Name() const override { return "nightjar.CountMergeOperator"; }
};

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_COUNT_MERGE_H_
