#include "state/count_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "state/snapshot_file.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// Ascending hashes as their first value and the differences after it.
void WriteHashes(SnapshotWriter& w, const std::vector<uint64_t>& hashes) {
  w.Varint(hashes.size());
  uint64_t last = 0;
  for (uint64_t h : hashes) {
    w.Varint(h - last);
    last = h;
  }
}

bool ReadHashes(SnapshotReader& r, size_t body_size, std::vector<uint64_t>* hashes) {
  uint64_t n = 0;
  if (!r.Varint(&n) || n > body_size) return false;  // at least one byte each
  hashes->reserve(n);
  uint64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = 0;
    if (!r.Varint(&delta)) return false;
    last += delta;
    hashes->push_back(last);
  }
  return true;
}

std::string EncodeBody(const CountSnapshot& s) {
  SnapshotWriter w;
  w.String(s.identity);
  w.Varint(s.shard);
  w.Varint(s.shards);
  const CorpusTotals& t = s.totals;
  for (uint64_t v :
       {t.documents, t.deleted, t.truncated, t.tokens, t.text_bytes, t.long_tokens_skipped}) {
    w.Varint(v);
  }
  std::vector<std::pair<std::string_view, uint64_t>> abbreviations;
  for (const auto& [key, n] : s.abbreviations) abbreviations.emplace_back(key, n);
  std::sort(abbreviations.begin(), abbreviations.end());
  w.Varint(abbreviations.size());
  for (const auto& [key, n] : abbreviations) {
    w.String(key);
    w.Varint(n);
  }
  const std::vector<TermRow> terms = s.terms.Sorted();  // frequency, then term: deterministic
  w.Varint(terms.size());
  for (const TermRow& row : terms) {
    w.String(row.term);
    w.Varint(row.stats.frequency);
    w.Varint(row.stats.doc_frequency);
  }
  WriteHashes(w, s.id_hashes);
  WriteHashes(w, s.tombstone_hashes);
  w.Varint(s.from_state ? 1 : 0);
  w.Varint(s.state_digest);
  w.Varint(s.input_bytes);
  w.Varint(s.rejects.size());
  for (const auto& [reason, n] : s.rejects) {
    w.String(reason);
    w.Varint(n);
  }
  w.Varint(s.damaged_files.size());
  for (const std::string& f : s.damaged_files) w.String(f);
  return w.Take();
}

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(fmt::format("count snapshot: {}", what));
}

absl::StatusOr<CountSnapshot> DecodeBody(std::string_view body) {
  SnapshotReader r(body);
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
  if (!ReadHashes(r, body.size(), &s.id_hashes) ||
      !ReadHashes(r, body.size(), &s.tombstone_hashes)) {
    return Bad("truncated id hashes");
  }
  uint64_t from_state = 0;
  if (!r.Varint(&from_state) || from_state > 1 || !r.Varint(&s.state_digest)) {
    return Bad("bad state fields");
  }
  s.from_state = from_state == 1;
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
  return FrameSnapshot(kCountSnapshotMagic, kCountSnapshotVersion, EncodeBody(snapshot));
}

absl::StatusOr<CountSnapshot> DecodeCountSnapshot(std::string_view bytes) {
  NJ_ASSIGN_OR_RETURN(
      const std::string body,
      UnframeSnapshot(bytes, kCountSnapshotMagic, kCountSnapshotVersion, "count snapshot"));
  return DecodeBody(body);
}

}  // namespace nightjar
