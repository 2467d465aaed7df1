#include "refresh/shard_rounds.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "count/pass.h"
#include "refresh/memory_plan.h"
#include "refresh/publish.h"
#include "refresh/shard_parts.h"
#include "state/count_snapshot.h"
#include "state/pass_snapshot.h"
#include "state/state_source.h"
#include "store/part_store.h"
#include "util/clock.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

SourceOptions ShardSource(const RefreshOptions& options) {
  SourceOptions so = options.source;
  so.shard = ShardSpec{options.shard.index, options.shard.count};
  return so;
}

// The part of shard options.shard: its counts and what the reading said.
CountSnapshot ShardSnapshot(const RefreshOptions& options, CorpusCounts& counts,
                            uint64_t input_bytes) {
  CountSnapshot s;
  s.identity = StateIdentity(options);
  s.shard = options.shard.index;
  s.shards = options.shard.count;
  s.totals = counts.totals;
  s.terms = std::move(counts.terms);
  s.abbreviations = std::move(counts.abbreviations);
  s.input_bytes = input_bytes;
  return s;
}

// Counts one shard as the whole corpus would be counted, but keeping every term (the cap is
// the merge's) and the id hashes (for the merge to find ids two shards hold).
absl::StatusOr<CountSnapshot> CountShard(const RefreshOptions& options, RejectLog& rejects,
                                         RoundReport* report, std::vector<std::string>* damaged) {
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<DocumentSource> source,
                      DocumentSource::Open(ShardSource(options), &rejects));
  CountOptions co = options.count;
  co.abbreviations = true;
  co.check_duplicate_ids = true;
  co.keep_id_hashes = true;
  co.max_terms = 0;
  co.cache_bytes = 0;
  const MemoryPlan plan = PlanMemory(options, EffectiveThreads(options.count.threads));
  co.table_bytes = plan.tables;
  co.spill_dir = options.spill_dir;
  NJ_ASSIGN_OR_RETURN(CorpusCounts counts, CountCorpus(*source, co, rejects, nullptr));
  report->input_bytes = source->progress().bytes_read;
  *damaged = source->damaged_files();
  CountSnapshot s = ShardSnapshot(options, counts, report->input_bytes);
  s.id_hashes = std::move(counts.id_hashes);
  return s;
}

// Counts one shard through its persistent state (StateOptionsFor): the documents read are
// applied to the state, and the part holds the state's counts, all of its live documents' id
// hashes and its tombstones', and the digest of its live documents, which the pass rounds check
// before they replay them.
absl::StatusOr<CountSnapshot> CountShardState(const RefreshOptions& options, RejectLog& rejects,
                                              RoundReport* report,
                                              std::vector<std::string>* damaged) {
  RefreshOptions o = options;
  o.source = ShardSource(options);
  o.count.max_terms = 0;  // the merge applies the cap
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<CountStage> stage, OpenStateCount(o, &rejects));
  RefreshObserver quiet;
  NJ_ASSIGN_OR_RETURN(CountedCorpus counted, stage->Count(quiet));
  const StateStore& state = *stage->state();
  NJ_ASSIGN_OR_RETURN(StateStore::IdIndex ids, state.ReadIdIndex());
  report->input_bytes = counted.input.bytes_read;
  report->update = counted.update;
  report->state_path = state.path();
  *damaged = std::move(counted.damaged_files);
  CountSnapshot s = ShardSnapshot(options, counted.counts, report->input_bytes);
  s.id_hashes = std::move(ids.live);
  s.tombstone_hashes = std::move(ids.deleted);
  s.from_state = true;
  s.state_digest = ids.digest;
  return s;
}

// The count round: the part's bytes.
absl::StatusOr<std::string> CountRound(const RefreshOptions& options, absl::Time started,
                                       RoundReport* report) {
  if (!options.rejects_dir.empty()) {
    report->rejects_file =
        fmt::format("{}/{}-{}.jsonl", options.rejects_dir,
                    absl::FormatTime("%Y%m%dT%H%M%E3SZ", started, absl::UTCTimeZone()),
                    report->part.substr(report->part.rfind('/') + 1));
  }
  RejectLog rejects(report->rejects_file);
  std::vector<std::string> damaged;
  absl::StatusOr<CountSnapshot> snapshot =
      options.state.path.empty() ? CountShard(options, rejects, report, &damaged)
                                 : CountShardState(options, rejects, report, &damaged);
  NJ_RETURN_IF_ERROR(rejects.Close());
  if (!snapshot.ok()) return snapshot.status();
  if (!damaged.empty() && options.on_damaged_file == DamagedFilePolicy::kFail) {
    return absl::FailedPreconditionError(
        fmt::format("{} input file(s) could not be read to their end ({}); part {} not written "
                    "(corpus.on_damaged_file = skip counts what was read)",
                    damaged.size(), fmt::join(damaged, ", "), report->part));
  }
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    const auto r = static_cast<RejectReason>(i);
    if (rejects.count(r) > 0) {
      snapshot->rejects.emplace_back(std::string(RejectReasonName(r)), rejects.count(r));
    }
  }
  snapshot->damaged_files = std::move(damaged);
  report->documents = snapshot->totals.documents;
  report->deleted = snapshot->totals.deleted;
  report->distinct_terms = snapshot->terms.size();
  report->rejected = rejects.total();
  if (report->rejected == 0) report->rejects_file.clear();
  return EncodeCountSnapshot(*snapshot);
}

// The state a pass round replays: one holding the documents the shard's count part was counted
// from. Null when the part was counted without a state.
absl::StatusOr<std::unique_ptr<StateStore>> OpenCountedState(const RefreshOptions& o,
                                                             const MergedCounts& merged) {
  const std::optional<uint64_t> counted = merged.states[o.shard.index];
  const std::string part = ShardPartName(o.shard.run, kCountRound, o.shard.index, o.shard.count);
  if (o.state.path.empty() == counted.has_value()) {
    return absl::FailedPreconditionError(fmt::format(
        "part {} was counted {} a state: run this round {} --state, as the count round ran", part,
        counted ? "from" : "without", counted ? "with" : "without"));
  }
  if (!counted) return nullptr;
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> state, StateStore::Open(StateOptionsFor(o)));
  NJ_ASSIGN_OR_RETURN(const StateStore::IdIndex ids, state->ReadIdIndex());
  if (ids.digest != *counted) {
    return absl::FailedPreconditionError(fmt::format(
        "state {} does not hold the documents part {} was counted from (it changed since, or "
        "is another state): run the count round of shard {}/{} again, then the rounds after it",
        state->path(), part, o.shard.index, o.shard.count));
  }
  return state;
}

// The phrases and context rounds: a mining pass over the shard (its share of the corpus, or the
// live documents of its state), against the merged parts of the rounds before. Returns the
// part's bytes.
absl::StatusOr<std::string> PassRound(const RefreshOptions& options, PartStore& parts) {
  RefreshOptions o = options;
  NJ_RETURN_IF_ERROR(LoadDictionary(&o.lexicons));  // the spelling candidates depend on it
  NJ_ASSIGN_OR_RETURN(MergedCounts merged, ReadCountParts(parts, o));
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> state, OpenCountedState(o, merged));
  DiscardRejects discarded;  // the count round quarantined them
  const SourceFactory source = [&]() -> absl::StatusOr<std::unique_ptr<DocumentSource>> {
    if (state != nullptr) return OpenStateSource(*state);
    return DocumentSource::Open(ShardSource(o), &discarded);
  };
  const int threads = EffectiveThreads(o.count.threads);
  PassSnapshotHeader header{SettingsDigest(o), merged.digest, o.shard.index, o.shard.count};
  if (o.shard.round == kPhrasesRound) {
    PhraseSnapshot s{header, {}};
    NJ_ASSIGN_OR_RETURN(
        s.counts, CountPhrasePass(merged.counts, source, o.count.tokenizer, o.lexicons, threads));
    return EncodePhraseSnapshot(s);
  }
  uint64_t digest = 0;
  NJ_ASSIGN_OR_RETURN(PhraseCounts phrases, ReadPhraseParts(parts, o, merged.digest, &digest));
  ContextSnapshot s{header, 0, 0, {}};
  s.header.inputs = digest;
  NJ_ASSIGN_OR_RETURN(s.counts, CountContextPass(merged.counts, phrases, source, o.count.tokenizer,
                                                 o.lexicons, threads));
  s.units = s.counts.pairs.rows();
  s.slots = s.counts.spelling_contexts.rows();
  return EncodeContextSnapshot(s);
}

// The publish round's counts: every part of the run, checked and summed.
class PartsCountStage : public CountStage {
 public:
  PartsCountStage(const RefreshOptions& options, RejectLog* rejects,
                  std::unique_ptr<PartStore> parts, const Clock* clock)
      : options_(options), rejects_(rejects), parts_(std::move(parts)), clock_(clock) {}

  absl::StatusOr<CountedCorpus> Count(RefreshObserver&) override {
    NJ_ASSIGN_OR_RETURN(MergedCounts merged, ReadCountParts(*parts_, options_));
    CountedCorpus out;
    out.passes.emplace();
    uint64_t digest = 0;
    NJ_ASSIGN_OR_RETURN(out.passes->phrases,
                        ReadPhraseParts(*parts_, options_, merged.digest, &digest));
    NJ_ASSIGN_OR_RETURN(out.passes->contexts, ReadContextParts(*parts_, options_, digest));
    out.counts = std::move(merged.counts);
    out.input.bytes_read = out.input.bytes_total = merged.input_bytes;
    out.damaged_files = std::move(merged.damaged_files);
    for (const auto& [reason, n] : merged.rejects) {
      if (auto r = RejectReasonNamed(reason)) rejects_->AddCount(*r, n);
    }
    return out;
  }

  // The version is active: other runs' parts past shard.retention_days go.
  absl::Status MarkPublished(std::string_view, std::string_view) override {
    const ShardSettings& sh = options_.shard;
    if (sh.retention_days <= 0) return absl::OkStatus();
    return PruneRuns(*parts_, clock_->Now(), absl::Seconds(sh.retention_days * 86400), sh.run)
        .status();
  }

  SourceFactory Reopen() override {
    return [] {  // MineLexicons reads no corpus when the passes' counts are given
      return absl::StatusOr<std::unique_ptr<DocumentSource>>(
          absl::InternalError("a publish round reads no corpus"));
    };
  }

 private:
  const RefreshOptions& options_;
  RejectLog* rejects_;
  std::unique_ptr<PartStore> parts_;
  const Clock* clock_;
};

}  // namespace

absl::Status CheckShardSettings(const ShardSettings& s) {
  if (s.round != kCountRound && s.round != kPhrasesRound && s.round != kContextRound &&
      s.round != kPublishRound) {
    return absl::InvalidArgumentError(
        fmt::format("--round '{}': a round is count, phrases, context or publish", s.round));
  }
  if (s.count == 0 || s.index >= s.count) {
    return absl::InvalidArgumentError(
        fmt::format("--shard {}/{}: the index must be below the count", s.index, s.count));
  }
  if (s.parts.empty()) {
    return absl::InvalidArgumentError("--parts (shard.parts): a sharded round needs a parts URI");
  }
  if (s.run.empty() || s.run.find('/') != std::string::npos || !IsPartName(s.run)) {
    return absl::InvalidArgumentError(fmt::format(
        "--run (shard.run) '{}': a run id of letters, digits, '.', '_' and '-'", s.run));
  }
  return absl::OkStatus();
}

absl::StatusOr<RoundReport> RunShardRound(const RefreshOptions& options, absl::Time started) {
  const auto t0 = std::chrono::steady_clock::now();
  const ShardSettings& sh = options.shard;
  NJ_RETURN_IF_ERROR(CheckShardSettings(sh));
  if (sh.round == kPublishRound) {
    return absl::InvalidArgumentError("--round publish is a refresh of its own, not a shard's");
  }
  // The parts store first: a bad URI fails before the reading.
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<PartStore> parts, PartStore::Open(sh.parts));
  RoundReport report;
  report.round = sh.round;
  report.parts_uri = parts->uri();
  report.part = ShardPartName(sh.run, sh.round, sh.index, sh.count);
  report.index = sh.index;
  report.count = sh.count;
  absl::StatusOr<std::string> bytes =
      sh.round == kCountRound ? CountRound(options, started, &report) : PassRound(options, *parts);
  if (!bytes.ok()) return bytes.status();
  report.part_bytes = bytes->size();
  NJ_RETURN_IF_ERROR(parts->Put(report.part, *bytes));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

absl::StatusOr<std::unique_ptr<CountStage>> OpenPartsCount(const RefreshOptions& options,
                                                           RejectLog* rejects, const Clock* clock) {
  NJ_RETURN_IF_ERROR(CheckShardSettings(options.shard));
  if (options.shard.round != kPublishRound) {
    return absl::InvalidArgumentError(
        fmt::format("--round {}: a shard's round (nightjar refresh runs it and prints its report)",
                    options.shard.round));
  }
  if (!options.state.path.empty()) {
    return absl::InvalidArgumentError(
        "--state: the publish round reads no corpus and keeps no state; the shard rounds keep "
        "one each");
  }
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<PartStore> parts, PartStore::Open(options.shard.parts));
  return std::unique_ptr<CountStage>(
      std::make_unique<PartsCountStage>(options, rejects, std::move(parts), clock));
}

std::string RoundReport::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("round").String(round).Key("shard").Uint(index);
  w.Key("shards").Uint(count).Key("parts").String(parts_uri).Key("part").String(part);
  if (round == kCountRound) {
    w.Key("documents").Uint(documents).Key("deleted").Uint(deleted);
    w.Key("distinct_terms").Uint(distinct_terms).Key("rejected").Uint(rejected);
    w.Key("rejects_file").String(rejects_file).Key("input_bytes").Uint(input_bytes);
    if (update) {
      const UpdateReport& u = *update;
      w.Key("state").BeginObject().Key("path").String(state_path);
      w.Key("skipped_inputs").Uint(u.skipped_inputs).Key("seen").Uint(u.seen);
      w.Key("unchanged").Uint(u.unchanged).Key("added").Uint(u.added);
      w.Key("modified").Uint(u.modified).Key("deleted").Uint(u.deleted).Key("gone").Uint(u.gone);
      w.Key("stale").Uint(u.stale).Key("checkpoints").Uint(u.checkpoints).EndObject();
    }
  }
  w.Key("part_bytes").Uint(part_bytes).Key("seconds").Double(seconds);
  return w.EndObject().Take();
}

std::string RoundReport::Text() const {
  std::string counted;
  if (round == kCountRound) {
    counted = fmt::format(
        "\n  documents {} (deleted {}), rejected {}{}, distinct terms {}, {:.1f} MB input",
        documents, deleted, rejected, rejects_file.empty() ? "" : " -> " + rejects_file,
        distinct_terms, static_cast<double>(input_bytes) / 1e6);
    if (update) {
      const UpdateReport& u = *update;
      counted += fmt::format(
          "\n  state {}: {} inputs skipped, {} documents read: {} unchanged, {} added, {} "
          "modified, {} deleted, {} gone, {} stale",
          state_path, u.skipped_inputs, u.seen, u.unchanged, u.added, u.modified, u.deleted, u.gone,
          u.stale);
    }
  }
  return fmt::format("{} round of shard {}/{} into {} in {}{}\n  part {:.2f} MB, {:.2f}s", round,
                     index, count, part, parts_uri, counted, static_cast<double>(part_bytes) / 1e6,
                     seconds);
}

}  // namespace nightjar
