#include "refresh/shard_parts.h"

#include <fmt/format.h>

#include <algorithm>

#include "count/mergeable.h"
#include "count/term_cap.h"
#include "refresh/count_stage.h"
#include "refresh/publish.h"
#include "state/count_snapshot.h"
#include "state/pass_snapshot.h"
#include "util/checksum.h"
#include "util/peak_rss.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// `digest` chained with a part: its checksum trailer (every part's last 8 bytes).
uint64_t Chain(uint64_t digest, std::string_view part) {
  Checksum sum;
  sum.Update(std::string_view(reinterpret_cast<const char*>(&digest), sizeof(digest)));
  sum.Update(part.substr(part.size() - std::min<size_t>(part.size(), 8)));
  return sum.Digest();
}

// The bytes of part `i` of `round`; FailedPrecondition naming it and the command that makes it
// when it is missing.
absl::StatusOr<std::string> Fetch(PartStore& parts, const ShardSettings& sh, std::string_view round,
                                  uint32_t i) {
  const std::string name = ShardPartName(sh.run, round, i, sh.count);
  NJ_ASSIGN_OR_RETURN(std::optional<std::string> bytes, parts.Get(name));
  if (!bytes) {
    return absl::FailedPreconditionError(fmt::format(
        "part {} is missing from {}: run `nightjar refresh --round {} --shard {}/{} --run {}` "
        "first",
        name, parts.uri(), round, i, sh.count, sh.run));
  }
  return std::move(bytes).value();
}

// A decoding problem of part `i`, naming it.
absl::Status PartError(const PartStore& parts, const ShardSettings& sh, std::string_view round,
                       uint32_t i, const absl::Status& st) {
  return absl::Status(st.code(), fmt::format("part {} in {}: {}; run its {} round again",
                                             ShardPartName(sh.run, round, i, sh.count), parts.uri(),
                                             std::string(st.message()), round));
}

// Checks a pass part's header against this run.
absl::Status CheckHeader(const PartStore& parts, const RefreshOptions& o, std::string_view round,
                         uint32_t i, const PassSnapshotHeader& h, uint64_t inputs) {
  const ShardSettings& sh = o.shard;
  if (h.shard != i || h.shards != sh.count) {
    return PartError(parts, sh, round, i,
                     absl::DataLossError(fmt::format("it holds shard {}/{}", h.shard, h.shards)));
  }
  if (h.identity != SettingsDigest(o)) {
    return PartError(parts, sh, round, i,
                     absl::FailedPreconditionError("it was made with other settings"));
  }
  if (h.inputs != inputs) {
    return PartError(parts, sh, round, i,
                     absl::FailedPreconditionError(
                         "it was counted against other parts of the rounds before (one of them "
                         "was made again since)"));
  }
  return absl::OkStatus();
}

// How many of `tombstones` are in `live` (ascending).
uint64_t CountShared(const std::vector<uint64_t>& live, std::vector<uint64_t> tombstones) {
  std::sort(tombstones.begin(), tombstones.end());
  uint64_t shared = 0;
  auto at = live.begin();
  for (uint64_t t : tombstones) {
    at = std::lower_bound(at, live.end(), t);
    if (at == live.end()) break;
    shared += *at == t;
  }
  return shared;
}

}  // namespace

std::string ShardPartName(std::string_view run, std::string_view round, uint32_t index,
                          uint32_t count) {
  return fmt::format("runs/{}/{}/part-{:05d}-of-{:05d}", run, round, index, count);
}

absl::StatusOr<MergedCounts> ReadCountParts(PartStore& parts, const RefreshOptions& o) {
  const ShardSettings& sh = o.shard;
  MergedCounts out;
  CorpusCounts& c = out.counts;
  std::vector<std::vector<uint64_t>> ids;
  std::vector<uint64_t> tombstones;
  for (uint32_t i = 0; i < sh.count; ++i) {
    NJ_ASSIGN_OR_RETURN(const std::string bytes, Fetch(parts, sh, kCountRound, i));
    out.digest = Chain(out.digest, bytes);
    absl::StatusOr<CountSnapshot> part = DecodeCountSnapshot(bytes);
    if (!part.ok()) return PartError(parts, sh, kCountRound, i, part.status());
    if (part->shard != i || part->shards != sh.count) {
      return PartError(
          parts, sh, kCountRound, i,
          absl::DataLossError(fmt::format("it holds shard {}/{}", part->shard, part->shards)));
    }
    if (part->identity != StateIdentity(o)) {
      return PartError(parts, sh, kCountRound, i,
                       absl::FailedPreconditionError(fmt::format(
                           "it was counted with other settings ({}) than this run's ({})",
                           part->identity, StateIdentity(o))));
    }
    if (i == 0) {
      c.terms = std::move(part->terms);
    } else {
      c.terms.Merge(part->terms);
    }
    c.totals.Merge(part->totals);
    c.abbreviations.Merge(part->abbreviations);
    ids.push_back(std::move(part->id_hashes));
    tombstones.insert(tombstones.end(), part->tombstone_hashes.begin(),
                      part->tombstone_hashes.end());
    out.states.push_back(part->from_state ? std::optional<uint64_t>(part->state_digest)
                                          : std::nullopt);
    out.input_bytes += part->input_bytes;
    for (auto& reject : part->rejects) {
      auto it = std::find_if(out.rejects.begin(), out.rejects.end(),
                             [&](const auto& r) { return r.first == reject.first; });
      if (it == out.rejects.end()) {
        out.rejects.push_back(std::move(reject));
      } else {
        it->second += reject.second;
      }
    }
    for (std::string& f : part->damaged_files) out.damaged_files.push_back(std::move(f));
  }
  std::vector<uint64_t> live;
  const uint64_t repeated = CountDuplicates(std::move(ids), &live);
  const uint64_t crossing = CountShared(live, std::move(tombstones));
  if (repeated > 0 || c.totals.deleted > 0 || crossing > 0) {
    return absl::FailedPreconditionError(fmt::format(
        "the count parts of run {} hold {} repeated ids, {} tombstones read without a state "
        "and {} tombstones of ids another shard holds: a sharded refresh needs every copy of "
        "an id in one shard, and tombstones only in shards that keep state (the last-copy rule "
        "of docs/state.md)",
        sh.run, repeated, c.totals.deleted, crossing));
  }
  c.abbreviations_counted = true;
  c.count_peak_rss = PeakRssBytes();
  c.distinct_terms = c.terms.size();
  c.min_kept_frequency = KeepMostFrequent(o.count.max_terms, &c.terms);
  return out;
}

absl::StatusOr<PhraseCounts> ReadPhraseParts(PartStore& parts, const RefreshOptions& o,
                                             uint64_t inputs, uint64_t* digest) {
  const ShardSettings& sh = o.shard;
  PhraseCounts out;
  *digest = inputs;
  for (uint32_t i = 0; i < sh.count; ++i) {
    NJ_ASSIGN_OR_RETURN(const std::string bytes, Fetch(parts, sh, kPhrasesRound, i));
    *digest = Chain(*digest, bytes);
    absl::StatusOr<PhraseSnapshot> part = DecodePhraseSnapshot(bytes);
    if (!part.ok()) return PartError(parts, sh, kPhrasesRound, i, part.status());
    NJ_RETURN_IF_ERROR(CheckHeader(parts, o, kPhrasesRound, i, part->header, inputs));
    out.Merge(std::move(part->counts));
  }
  return out;
}

absl::StatusOr<CooccurrenceCounts> ReadContextParts(PartStore& parts, const RefreshOptions& o,
                                                    uint64_t inputs) {
  const ShardSettings& sh = o.shard;
  std::vector<CooccurrenceCounts> all;
  all.reserve(sh.count);
  for (uint32_t i = 0; i < sh.count; ++i) {
    NJ_ASSIGN_OR_RETURN(const std::string bytes, Fetch(parts, sh, kContextRound, i));
    absl::StatusOr<ContextSnapshot> part = DecodeContextSnapshot(bytes);
    if (!part.ok()) return PartError(parts, sh, kContextRound, i, part.status());
    NJ_RETURN_IF_ERROR(CheckHeader(parts, o, kContextRound, i, part->header, inputs));
    all.push_back(std::move(part->counts));
  }
  std::vector<CooccurrenceCounts*> ptrs;
  for (auto& c : all) ptrs.push_back(&c);
  return MergeAll(ptrs);
}

}  // namespace nightjar
