#include "state/snapshot_file.h"

#include <fmt/format.h>
#include <zstd.h>

#include "util/checksum.h"

namespace nightjar {
namespace {

constexpr int kZstdLevel = 3;
constexpr size_t kMagicBytes = 8;
constexpr size_t kHeadBytes = kMagicBytes + 4 + 8;

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetFixed(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  return v;
}

}  // namespace

std::string FrameSnapshot(std::string_view magic, uint32_t version, std::string_view body) {
  std::string out(magic.substr(0, kMagicBytes));
  out.resize(kMagicBytes, ' ');
  PutFixed(&out, version, 4);
  PutFixed(&out, body.size(), 8);
  out.resize(kHeadBytes + ZSTD_compressBound(body.size()));
  const size_t z = ZSTD_compress(out.data() + kHeadBytes, out.size() - kHeadBytes, body.data(),
                                 body.size(), kZstdLevel);
  out.resize(kHeadBytes + z);  // compressing into a buffer of the bound cannot fail
  Checksum sum;
  sum.Update(out);
  PutFixed(&out, sum.Digest(), 8);
  return out;
}

absl::StatusOr<std::string> UnframeSnapshot(std::string_view bytes, std::string_view magic,
                                            uint32_t version, std::string_view what) {
  if (bytes.size() < kHeadBytes + 8 || bytes.substr(0, kMagicBytes) != magic.substr(0, 8)) {
    return absl::DataLossError(fmt::format("{}: not one (bad magic or too short)", what));
  }
  const auto found = static_cast<uint32_t>(GetFixed(bytes.substr(kMagicBytes), 4));
  if (found != version) {
    return absl::FailedPreconditionError(
        fmt::format("{}: format version {}, this build reads {}", what, found, version));
  }
  Checksum sum;
  sum.Update(bytes.substr(0, bytes.size() - 8));
  if (sum.Digest() != GetFixed(bytes.substr(bytes.size() - 8), 8)) {
    return absl::DataLossError(
        fmt::format("{}: checksum mismatch (the file is damaged or cut short)", what));
  }
  const uint64_t size = GetFixed(bytes.substr(kMagicBytes + 4), 8);
  const std::string_view z = bytes.substr(kHeadBytes, bytes.size() - kHeadBytes - 8);
  if (ZSTD_getFrameContentSize(z.data(), z.size()) != size) {
    return absl::DataLossError(fmt::format("{}: bad body size", what));
  }
  std::string body(size, '\0');
  const size_t got = ZSTD_decompress(body.data(), body.size(), z.data(), z.size());
  if (ZSTD_isError(got) != 0 || got != size) {
    return absl::DataLossError(fmt::format("{}: the body does not decompress", what));
  }
  return body;
}

void SnapshotWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void SnapshotWriter::String(std::string_view s) {
  Varint(s.size());
  out_.append(s);
}

bool SnapshotReader::Varint(uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return false;
    const auto b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    *v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool SnapshotReader::String(std::string_view* s) {
  uint64_t n = 0;
  if (!Varint(&n) || n > in_.size()) return false;
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace nightjar
