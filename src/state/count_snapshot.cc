#include "state/count_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "state/snapshot_file.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

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
  w.Varint(s.id_hashes.size());
  uint64_t last = 0;
  for (uint64_t h : s.id_hashes) {
    w.Varint(h - last);
    last = h;
  }
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
  return FrameSnapshot(kCountSnapshotMagic, kCountSnapshotVersion, EncodeBody(snapshot));
}

absl::StatusOr<CountSnapshot> DecodeCountSnapshot(std::string_view bytes) {
  NJ_ASSIGN_OR_RETURN(
      const std::string body,
      UnframeSnapshot(bytes, kCountSnapshotMagic, kCountSnapshotVersion, "count snapshot"));
  return DecodeBody(body);
}

}  // namespace nightjar
