#include "util/checksum.h"

#include <xxhash.h>

#include "absl/strings/str_format.h"

namespace nightjar {

Checksum::Checksum() : state_(XXH3_createState()) {
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

Checksum::~Checksum() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Checksum::Update(std::string_view data) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data.data(), data.size());
}

uint64_t Checksum::Digest() const { return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_)); }

std::string Checksum::HexDigest() const { return absl::StrFormat("xxh3:%016x", Digest()); }

std::string ChecksumHex(std::string_view data) {
  Checksum c;
  c.Update(data);
  return c.HexDigest();
}

}  // namespace nightjar
