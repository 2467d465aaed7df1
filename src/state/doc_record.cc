#include "state/doc_record.h"

#include <cstring>

#include "util/checksum.h"

namespace nightjar {
namespace {

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int b = 0; b < bytes; ++b) out->push_back(static_cast<char>(v >> (8 * b) & 0xFF));
}

// Reads little-endian fixed-width integers off the front of a byte string.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Fixed(int bytes, uint64_t* v) {
    if (s_.size() < static_cast<size_t>(bytes)) return false;
    *v = 0;
    for (int b = bytes - 1; b >= 0; --b) *v = *v << 8 | static_cast<uint8_t>(s_[b]);
    s_.remove_prefix(static_cast<size_t>(bytes));
    return true;
  }
  bool Bytes(size_t n, std::string* out) {
    if (s_.size() < n) return false;
    out->assign(s_.data(), n);
    s_.remove_prefix(n);
    return true;
  }
  bool done() const { return s_.empty(); }

 private:
  std::string_view s_;
};

}  // namespace

uint64_t ContentFingerprint(std::span<const std::string_view> fields) {
  Checksum sum;
  for (std::string_view f : fields) {
    const uint64_t n = f.size();
    sum.Update(std::string_view(reinterpret_cast<const char*>(&n), sizeof(n)));
    sum.Update(f);
  }
  return sum.Digest();
}

DocRecord DocRecord::Of(const Document& doc) {
  DocRecord r;
  r.modified_at_ms = doc.modified_at_ms;
  r.truncated = doc.truncated;
  r.deleted = doc.deleted;
  if (!doc.deleted) r.fields.assign(doc.fields.begin(), doc.fields.end());
  r.fingerprint =
      ContentFingerprint(std::vector<std::string_view>(r.fields.begin(), r.fields.end()));
  return r;
}

Document DocRecord::View(std::string_view id, std::vector<std::string_view>* views) const {
  views->assign(fields.begin(), fields.end());
  Document d;
  d.id = id;
  d.fields = *views;
  d.modified_at_ms = modified_at_ms;
  d.truncated = truncated;
  return d;
}

std::string DocRecord::Encode() const {
  std::string out;
  size_t size = 2 + 8 + 8 + 1 + 4;
  for (const auto& f : fields) size += 4 + f.size();
  out.reserve(size);
  out.push_back(static_cast<char>(kDocRecordMagic));
  out.push_back(static_cast<char>(kDocRecordVersion));
  PutFixed(&out, fingerprint, 8);
  PutFixed(&out, static_cast<uint64_t>(modified_at_ms), 8);
  out.push_back(static_cast<char>((truncated ? 1 : 0) | (deleted ? 2 : 0)));
  PutFixed(&out, fields.size(), 4);
  for (const auto& f : fields) {
    PutFixed(&out, f.size(), 4);
    out += f;
  }
  return out;
}

absl::StatusOr<DocRecord> DocRecord::Decode(std::string_view bytes) {
  auto bad = [](const char* why) {
    return absl::DataLossError(std::string("state: document record ") + why);
  };
  if (bytes.size() < 2 || static_cast<uint8_t>(bytes[0]) != kDocRecordMagic) {
    return bad("has no record magic");
  }
  if (static_cast<uint8_t>(bytes[1]) != kDocRecordVersion) return bad("has an unknown version");
  Cursor c(bytes.substr(2));
  DocRecord r;
  uint64_t modified = 0, flags = 0, n = 0;
  if (!c.Fixed(8, &r.fingerprint) || !c.Fixed(8, &modified) || !c.Fixed(1, &flags) ||
      !c.Fixed(4, &n) || flags > 3) {
    return bad("is cut off");
  }
  r.modified_at_ms = static_cast<int64_t>(modified);
  r.truncated = (flags & 1) != 0;
  r.deleted = (flags & 2) != 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0;
    if (!c.Fixed(4, &len) || !c.Bytes(len, &r.fields.emplace_back())) return bad("is cut off");
  }
  if (!c.done()) return bad("has trailing bytes");
  if (ContentFingerprint(std::vector<std::string_view>(r.fields.begin(), r.fields.end())) !=
      r.fingerprint) {
    return bad("does not match its fingerprint");
  }
  return r;
}

}  // namespace nightjar
