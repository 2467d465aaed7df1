#ifndef NIGHTJAR_CORPUS_DOCUMENT_H_
#define NIGHTJAR_CORPUS_DOCUMENT_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace nightjar {

// One corpus document as a source hands it out. All views are valid only during the callback
// that receives the document.
struct Document {
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

  std::string_view id;                       // non-empty, valid UTF-8
  std::span<const std::string_view> fields;  // text fields in configured order; absent = empty
  int64_t modified_at_ms = kNoTime;          // Unix epoch milliseconds, or kNoTime
  bool deleted = false;                      // a tombstone: the id was removed from the corpus
  bool truncated = false;                    // text was cut to the size cap
};

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view s, size_t max);

// Cuts the fields, in order, to `budget` bytes in all (on character boundaries); true when any
// was cut. Every source applies RecordSchema::max_document_bytes with it.
bool TruncateToBudget(size_t budget, std::vector<std::string_view>* fields);

// An epoch number as every source reads one: at or above 1e11 it is milliseconds, below it is
// seconds (1e11 s is the year 5138).
inline int64_t EpochToMillis(double v) { return static_cast<int64_t>(v >= 1e11 ? v : v * 1000.0); }

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_DOCUMENT_H_
