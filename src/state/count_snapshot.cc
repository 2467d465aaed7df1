#include "state/count_snapshot.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "util/checksum.h"

namespace nightjar {
namespace {

constexpr int kZstdLevel = 3;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetFixed(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  return v;
}

// Reads the body; every method returns false once the bytes run out or are malformed.
class BodyReader {
 public:
  explicit BodyReader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
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
  bool String(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::string EncodeBody(const CountSnapshot& s) {
  std::string body;
  PutString(&body, s.identity);
  PutVarint(&body, s.shard);
  PutVarint(&body, s.shards);
  const CorpusTotals& t = s.totals;
  for (uint64_t v :
       {t.documents, t.deleted, t.truncated, t.tokens, t.text_bytes, t.long_tokens_skipped}) {
    PutVarint(&body, v);
  }
  std::vector<std::pair<std::string_view, uint64_t>> abbreviations;
  for (const auto& [key, n] : s.abbreviations) abbreviations.emplace_back(key, n);
  std::sort(abbreviations.begin(), abbreviations.end());
  PutVarint(&body, abbreviations.size());
  for (const auto& [key, n] : abbreviations) {
    PutString(&body, key);
    PutVarint(&body, n);
  }
  const std::vector<TermRow> terms = s.terms.Sorted();  // frequency, then term: deterministic
  PutVarint(&body, terms.size());
  for (const TermRow& row : terms) {
    PutString(&body, row.term);
    PutVarint(&body, row.stats.frequency);
    PutVarint(&body, row.stats.doc_frequency);
  }
  PutVarint(&body, s.id_hashes.size());
  uint64_t last = 0;
  for (uint64_t h : s.id_hashes) {
    PutVarint(&body, h - last);
    last = h;
  }
  PutVarint(&body, s.input_bytes);
  PutVarint(&body, s.rejects.size());
  for (const auto& [reason, n] : s.rejects) {
    PutString(&body, reason);
    PutVarint(&body, n);
  }
  PutVarint(&body, s.damaged_files.size());
  for (const std::string& f : s.damaged_files) PutString(&body, f);
  return body;
}

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(fmt::format("count snapshot: {}", what));
}

absl::StatusOr<CountSnapshot> DecodeBody(std::string_view body) {
  BodyReader r(body);
  CountSnapshot s;
  std::string_view identity;
  uint64_t shard = 0, shards = 0;
  if (!r.String(&identity) || !r.Varint(&shard) || !r.Varint(&shards) || shards == 0 ||
      shard >= shards || shards > UINT32_MAX) {
    return Bad("bad header fields");
  }
  s.identity = std::string(identity);
  s.shard = static_cast<uint32_t>(shard);
  s.shards = static_cast<uint32_t>(shards);
  CorpusTotals& t = s.totals;
  for (uint64_t* v :
       {&t.documents, &t.deleted, &t.truncated, &t.tokens, &t.text_bytes, &t.long_tokens_skipped}) {
    if (!r.Varint(v)) return Bad("truncated totals");
  }
  uint64_t n = 0;
  if (!r.Varint(&n)) return Bad("truncated abbreviations");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    uint64_t count = 0;
    if (!r.String(&key) || !r.Varint(&count)) return Bad("truncated abbreviations");
    s.abbreviations.Add(key, count);
  }
  if (!r.Varint(&n)) return Bad("truncated terms");
  s.terms = TermTable(static_cast<size_t>(std::min<uint64_t>(n, body.size())));
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view term;
    TermStats stats;
    if (!r.String(&term) || !r.Varint(&stats.frequency) || !r.Varint(&stats.doc_frequency)) {
      return Bad("truncated terms");
    }
    s.terms.Add(term, stats);
  }
  if (!r.Varint(&n) || n > body.size()) return Bad("truncated id hashes");  // >= 1 byte each
  s.id_hashes.reserve(n);
  uint64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = 0;
    if (!r.Varint(&delta)) return Bad("truncated id hashes");
    last += delta;
    s.id_hashes.push_back(last);
  }
  if (!r.Varint(&s.input_bytes) || !r.Varint(&n)) return Bad("truncated rejects");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view reason;
    uint64_t count = 0;
    if (!r.String(&reason) || !r.Varint(&count)) return Bad("truncated rejects");
    s.rejects.emplace_back(std::string(reason), count);
  }
  if (!r.Varint(&n)) return Bad("truncated damaged files");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view file;
    if (!r.String(&file)) return Bad("truncated damaged files");
    s.damaged_files.emplace_back(file);
  }
  if (!r.done()) return Bad("bytes past the end of the body");
  return s;
}

}  // namespace

std::string EncodeCountSnapshot(const CountSnapshot& snapshot) {
  const std::string body = EncodeBody(snapshot);
  std::string out(kCountSnapshotMagic);
  PutFixed(&out, kCountSnapshotVersion, 4);
  PutFixed(&out, body.size(), 8);
  const size_t head = out.size();
  out.resize(head + ZSTD_compressBound(body.size()));
  const size_t z =
      ZSTD_compress(out.data() + head, out.size() - head, body.data(), body.size(), kZstdLevel);
  out.resize(head + z);  // compressing into a buffer of the bound cannot fail
  Checksum sum;
  sum.Update(out);
  PutFixed(&out, sum.Digest(), 8);
  return out;
}

absl::StatusOr<CountSnapshot> DecodeCountSnapshot(std::string_view bytes) {
  const size_t head = kCountSnapshotMagic.size() + 4 + 8;
  if (bytes.size() < head + 8 ||
      bytes.substr(0, kCountSnapshotMagic.size()) != kCountSnapshotMagic) {
    return Bad("not a count snapshot (bad magic or too short)");
  }
  const auto version = static_cast<uint32_t>(GetFixed(bytes.substr(8), 4));
  if (version != kCountSnapshotVersion) {
    return absl::FailedPreconditionError(fmt::format(
        "count snapshot: format version {}, this build reads {}", version, kCountSnapshotVersion));
  }
  Checksum sum;
  sum.Update(bytes.substr(0, bytes.size() - 8));
  if (sum.Digest() != GetFixed(bytes.substr(bytes.size() - 8), 8)) {
    return Bad("checksum mismatch (the file is damaged or cut short)");
  }
  const uint64_t body_size = GetFixed(bytes.substr(12), 8);
  const std::string_view z = bytes.substr(head, bytes.size() - head - 8);
  if (ZSTD_getFrameContentSize(z.data(), z.size()) != body_size) return Bad("bad body size");
  std::string body(body_size, '\0');
  const size_t got = ZSTD_decompress(body.data(), body.size(), z.data(), z.size());
  if (ZSTD_isError(got) != 0 || got != body_size) return Bad("the body does not decompress");
  return DecodeBody(body);
}

}  // namespace nightjar
