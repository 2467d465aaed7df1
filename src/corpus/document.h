#ifndef NIGHTJAR_CORPUS_DOCUMENT_H_
#define NIGHTJAR_CORPUS_DOCUMENT_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

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

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_DOCUMENT_H_
