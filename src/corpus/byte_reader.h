#ifndef NIGHTJAR_CORPUS_BYTE_READER_H_
#define NIGHTJAR_CORPUS_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace nightjar {

// A sequential reader of a file's decompressed bytes. Not thread-safe.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to `n` bytes into `buf`; 0 means end of stream. Errors name the file.
  [[nodiscard]] virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
  // Bytes of the underlying file consumed so far (compressed bytes for compressed files).
  virtual uint64_t file_bytes_consumed() const = 0;

  // Opens `path`, choosing plain, gzip or zstd by the file's magic bytes (not its name).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ByteReader>> Open(const std::string& path);
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_BYTE_READER_H_
