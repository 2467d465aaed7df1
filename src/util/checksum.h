#ifndef NIGHTJAR_UTIL_CHECKSUM_H_
#define NIGHTJAR_UTIL_CHECKSUM_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace nightjar {

// Streaming XXH3-64 checksum. Not thread-safe; one per stream.
class Checksum {
 public:
  Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  ~Checksum();
  void Update(std::string_view data);
  uint64_t Digest() const;
  // "xxh3:" followed by 16 lowercase hex digits.
  std::string HexDigest() const;

 private:
  void* state_;  // XXH3_state_t, owned
};

// One-shot form of Checksum::HexDigest.
std::string ChecksumHex(std::string_view data);

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_CHECKSUM_H_
