#include "state/pass_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "state/snapshot_file.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

absl::Status Bad(std::string_view what, std::string_view problem) {
  return absl::DataLossError(fmt::format("{}: {}", what, problem));
}

void PutHeader(SnapshotWriter& w, const PassSnapshotHeader& h) {
  w.String(h.identity);
  w.Varint(h.inputs);
  w.Varint(h.shard);
  w.Varint(h.shards);
}

bool GetHeader(SnapshotReader& r, PassSnapshotHeader* h) {
  std::string_view identity;
  uint64_t shard = 0, shards = 0;
  if (!r.String(&identity) || !r.Varint(&h->inputs) || !r.Varint(&shard) || !r.Varint(&shards) ||
      shards == 0 || shard >= shards || shards > UINT32_MAX) {
    return false;
  }
  h->identity = std::string(identity);
  h->shard = static_cast<uint32_t>(shard);
  h->shards = static_cast<uint32_t>(shards);
  return true;
}

// Sorted pair counts as (row, column, count) triples in their order.
void PutPairs(SnapshotWriter& w, const SortedPairCounts& c) {
  w.Varint(c.size());
  c.ForEach([&](uint64_t row, uint32_t column, uint64_t n) {
    w.Varint(row);
    w.Varint(column);
    w.Varint(n);
  });
}

// Reads what PutPairs wrote into *c (empty, with the bounds the counts were made with): every
// pair within them, strictly ascending.
bool GetPairs(SnapshotReader& r, SortedPairCounts* c) {
  uint64_t n = 0;
  if (!r.Varint(&n) || n > r.remaining()) return false;
  std::vector<SortedPairCounts::Counted> run;
  run.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    SortedPairCounts::Counted e;
    uint64_t column = 0;
    if (!r.Varint(&e.row) || !r.Varint(&column) || !r.Varint(&e.count)) return false;
    if (e.row >= c->rows() || column >= c->columns() || e.count == 0) return false;
    e.column = static_cast<uint32_t>(column);
    if (!run.empty() &&
        std::pair(run.back().row, run.back().column) >= std::pair(e.row, e.column)) {
      return false;
    }
    run.push_back(e);
  }
  c->AddSorted(run);
  return true;
}

SortedPairCounts Bounded(uint64_t rows, uint64_t columns) {
  SortedPairCounts::Options o;
  o.rows = rows;
  o.columns = static_cast<uint32_t>(columns);
  return SortedPairCounts(o);
}

}  // namespace

std::string EncodePhraseSnapshot(PhraseSnapshot& s) {
  s.counts.Flush();
  SnapshotWriter w;
  PutHeader(w, s.header);
  std::vector<std::pair<uint64_t, uint64_t>> bigrams;
  bigrams.reserve(s.counts.bigrams.size());
  s.counts.bigrams.ForEach([&](uint64_t key, uint64_t n) { bigrams.emplace_back(key, n); });
  std::sort(bigrams.begin(), bigrams.end());
  w.Varint(bigrams.size());
  uint64_t last = 0;
  for (const auto& [key, n] : bigrams) {
    w.Varint(key - last);
    w.Varint(n);
    last = key;
  }
  w.Varint(s.counts.trigram_limit());
  PutPairs(w, s.counts.trigrams);
  return FrameSnapshot(kPhraseSnapshotMagic, kPassSnapshotVersion, w.Take());
}

absl::StatusOr<PhraseSnapshot> DecodePhraseSnapshot(std::string_view bytes) {
  constexpr std::string_view kWhat = "phrase snapshot";
  NJ_ASSIGN_OR_RETURN(const std::string body,
                      UnframeSnapshot(bytes, kPhraseSnapshotMagic, kPassSnapshotVersion, kWhat));
  SnapshotReader r(body);
  PhraseSnapshot s;
  if (!GetHeader(r, &s.header)) return Bad(kWhat, "bad header");
  uint64_t n = 0;
  if (!r.Varint(&n) || n > r.remaining()) return Bad(kWhat, "truncated bigrams");
  std::vector<std::pair<uint64_t, uint64_t>> bigrams(n);
  uint64_t key = 0;
  for (auto& [k, count] : bigrams) {
    uint64_t delta = 0;
    if (!r.Varint(&delta) || !r.Varint(&count)) return Bad(kWhat, "truncated bigrams");
    key += delta;
    k = key;
  }
  uint64_t limit = 0;
  if (!r.Varint(&limit) || limit > kMaxTrigramId + 1) return Bad(kWhat, "bad trigram limit");
  s.counts = PhraseCounts(static_cast<uint32_t>(limit));
  for (const auto& [k, count] : bigrams) s.counts.bigrams.Add(k, count);
  if (!GetPairs(r, &s.counts.trigrams) || !r.done()) return Bad(kWhat, "bad trigrams");
  return s;
}

std::string EncodeContextSnapshot(ContextSnapshot& s) {
  s.counts.pairs.Flush();
  s.counts.spelling_contexts.Flush();
  SnapshotWriter w;
  PutHeader(w, s.header);
  w.Varint(s.units);
  w.Varint(s.slots);
  PutPairs(w, s.counts.pairs);
  PutPairs(w, s.counts.spelling_contexts);
  w.Varint(s.counts.slot_case.size());
  for (const auto& c : s.counts.slot_case) {
    w.Varint(c.occurrences);
    w.Varint(c.capitalized);
  }
  return FrameSnapshot(kContextSnapshotMagic, kPassSnapshotVersion, w.Take());
}

absl::StatusOr<ContextSnapshot> DecodeContextSnapshot(std::string_view bytes) {
  constexpr std::string_view kWhat = "context snapshot";
  NJ_ASSIGN_OR_RETURN(const std::string body,
                      UnframeSnapshot(bytes, kContextSnapshotMagic, kPassSnapshotVersion, kWhat));
  SnapshotReader r(body);
  ContextSnapshot s;
  if (!GetHeader(r, &s.header) || !r.Varint(&s.units) || !r.Varint(&s.slots) ||
      s.units > UINT32_MAX) {
    return Bad(kWhat, "bad header");
  }
  s.counts.pairs = Bounded(s.units, s.units);
  s.counts.spelling_contexts = Bounded(s.slots, s.units);
  if (!GetPairs(r, &s.counts.pairs)) return Bad(kWhat, "bad unit pairs");
  if (!GetPairs(r, &s.counts.spelling_contexts)) return Bad(kWhat, "bad spelling contexts");
  uint64_t n = 0;
  if (!r.Varint(&n) || n > r.remaining()) return Bad(kWhat, "truncated slot cases");
  s.counts.slot_case.resize(n);
  for (auto& c : s.counts.slot_case) {
    if (!r.Varint(&c.occurrences) || !r.Varint(&c.capitalized)) {
      return Bad(kWhat, "truncated slot cases");
    }
  }
  if (!r.done()) return Bad(kWhat, "bytes past the end of the body");
  return s;
}

}  // namespace nightjar
