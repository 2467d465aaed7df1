#ifndef NIGHTJAR_STATE_SNAPSHOT_FILE_H_
#define NIGHTJAR_STATE_SNAPSHOT_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace nightjar {

// The framing every snapshot file (count_snapshot.h, pass_snapshot.h) shares, and the helpers
// their bodies are written and read with. A file is: the format's 8-byte magic, its version
// (u32, little-endian), the body's size (u64), the body zstd-compressed, then the XXH3-64 of
// everything before (u64). Deterministic: the same body gives the same bytes.
std::string FrameSnapshot(std::string_view magic, uint32_t version, std::string_view body);

// The body of `bytes`. DataLoss naming `what` when the magic, the checksum or the compressed
// body is wrong; FailedPrecondition for another format version.
[[nodiscard]] absl::StatusOr<std::string> UnframeSnapshot(std::string_view bytes,
                                                          std::string_view magic, uint32_t version,
                                                          std::string_view what);

// Appends varints and length-prefixed strings to a body.
class SnapshotWriter {
 public:
  void Varint(uint64_t v);
  void String(std::string_view s);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads a body; every method returns false once the bytes run out or are malformed.
class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  [[nodiscard]] bool Varint(uint64_t* v);
  [[nodiscard]] bool String(std::string_view* s);
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_SNAPSHOT_FILE_H_
