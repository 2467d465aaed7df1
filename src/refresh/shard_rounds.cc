#include "refresh/shard_rounds.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "count/pass.h"
#include "count/term_cap.h"
#include "refresh/memory_plan.h"
#include "state/count_snapshot.h"
#include "store/part_store.h"
#include "util/json_writer.h"
#include "util/peak_rss.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

constexpr std::string_view kCountRound = "count";
constexpr std::string_view kPublishRound = "publish";

std::optional<RejectReason> ReasonNamed(std::string_view name) {
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    const auto r = static_cast<RejectReason>(i);
    if (RejectReasonName(r) == name) return r;
  }
  return std::nullopt;
}

// Counts one shard as the whole corpus would be counted, but keeping every term (the cap is
// the merge's) and the id hashes (for the merge to find ids two shards hold).
absl::StatusOr<CountSnapshot> CountShard(const RefreshOptions& options, RejectLog& rejects,
                                         uint64_t* input_bytes, std::vector<std::string>* damaged) {
  SourceOptions so = options.source;
  so.shard = ShardSpec{options.shard.index, options.shard.count};
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<DocumentSource> source, DocumentSource::Open(so, &rejects));
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
  *input_bytes = source->progress().bytes_read;
  *damaged = source->damaged_files();
  CountSnapshot s;
  s.identity = StateIdentity(options);
  s.shard = options.shard.index;
  s.shards = options.shard.count;
  s.totals = counts.totals;
  s.terms = std::move(counts.terms);
  s.abbreviations = std::move(counts.abbreviations);
  s.id_hashes = std::move(counts.id_hashes);
  return s;
}

// The publish round's counts: every count part of the run, checked and summed.
class PartsCountStage : public CountStage {
 public:
  PartsCountStage(const RefreshOptions& options, RejectLog* rejects,
                  std::unique_ptr<PartStore> parts)
      : options_(options), rejects_(rejects), parts_(std::move(parts)) {}

  absl::StatusOr<CountedCorpus> Count(RefreshObserver&) override {
    const ShardSettings& sh = options_.shard;
    CountedCorpus out;
    CorpusCounts& c = out.counts;
    std::vector<std::vector<uint64_t>> ids;
    for (uint32_t i = 0; i < sh.count; ++i) {
      NJ_ASSIGN_OR_RETURN(CountSnapshot part, ReadPart(i));
      if (i == 0) {
        c.terms = std::move(part.terms);
      } else {
        c.terms.Merge(part.terms);
      }
      c.totals.Merge(part.totals);
      c.abbreviations.Merge(part.abbreviations);
      ids.push_back(std::move(part.id_hashes));
      out.input.bytes_read += part.input_bytes;
      for (const auto& [reason, n] : part.rejects) {
        if (auto r = ReasonNamed(reason)) rejects_->AddCount(*r, n);
      }
      for (std::string& f : part.damaged_files) out.damaged_files.push_back(std::move(f));
    }
    const uint64_t repeated = CountDuplicates(std::move(ids));
    if (repeated > 0 || c.totals.deleted > 0) {
      return absl::FailedPreconditionError(fmt::format(
          "the count parts of run {} hold {} repeated ids and {} tombstones: a sharded refresh "
          "needs each id once and no tombstones (a single-node refresh applies the last-copy "
          "rule of docs/state.md); nothing published",
          sh.run, repeated, c.totals.deleted));
    }
    out.input.bytes_total = out.input.bytes_read;
    c.abbreviations_counted = true;
    c.count_peak_rss = PeakRssBytes();
    c.distinct_terms = c.terms.size();
    c.min_kept_frequency = KeepMostFrequent(options_.count.max_terms, &c.terms);
    return out;
  }

  SourceFactory Reopen() override {
    return [this] {
      SourceOptions so = options_.source;
      so.shard = ShardSpec{};  // the mining passes read the whole corpus
      return DocumentSource::Open(so, &discarded_);
    };
  }

 private:
  absl::StatusOr<CountSnapshot> ReadPart(uint32_t i) {
    const ShardSettings& sh = options_.shard;
    const std::string name = ShardPartName(sh.run, kCountRound, i, sh.count);
    NJ_ASSIGN_OR_RETURN(std::optional<std::string> bytes, parts_->Get(name));
    if (!bytes) {
      return absl::FailedPreconditionError(fmt::format(
          "part {} is missing from {}: run `nightjar refresh --round count --shard {}/{} --run "
          "{}` first; nothing published",
          name, parts_->uri(), i, sh.count, sh.run));
    }
    absl::StatusOr<CountSnapshot> part = DecodeCountSnapshot(*bytes);
    if (!part.ok()) {
      return absl::Status(part.status().code(),
                          fmt::format("part {} in {}: {}; run its count round again; nothing "
                                      "published",
                                      name, parts_->uri(), std::string(part.status().message())));
    }
    if (part->shard != i || part->shards != sh.count) {
      return absl::DataLossError(fmt::format("part {} in {} holds shard {}/{}; nothing published",
                                             name, parts_->uri(), part->shard, part->shards));
    }
    if (part->identity != StateIdentity(options_)) {
      return absl::FailedPreconditionError(fmt::format(
          "part {} in {} was counted with other settings ({}) than this run's ({}); run the "
          "count round again with them; nothing published",
          name, parts_->uri(), part->identity, StateIdentity(options_)));
    }
    return part;
  }

  const RefreshOptions& options_;
  RejectLog* rejects_;
  std::unique_ptr<PartStore> parts_;
  DiscardRejects discarded_;  // the count rounds reported them
};

}  // namespace

std::string ShardPartName(std::string_view run, std::string_view round, uint32_t index,
                          uint32_t count) {
  return fmt::format("runs/{}/{}/part-{:05d}-of-{:05d}", run, round, index, count);
}

absl::Status CheckShardSettings(const ShardSettings& s) {
  if (s.round != kCountRound && s.round != kPublishRound) {
    return absl::InvalidArgumentError(
        fmt::format("--round '{}': a round is count or publish", s.round));
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

absl::StatusOr<CountRoundReport> RunCountRound(const RefreshOptions& options, absl::Time started) {
  const auto t0 = std::chrono::steady_clock::now();
  const ShardSettings& sh = options.shard;
  NJ_RETURN_IF_ERROR(CheckShardSettings(sh));
  if (sh.round != kCountRound)
    return absl::InvalidArgumentError("RunCountRound: not --round count");
  if (!options.state.path.empty()) {
    return absl::InvalidArgumentError("--state: sharded rounds keep no incremental state yet");
  }
  // The parts store first: a bad URI fails before the counting.
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<PartStore> parts, PartStore::Open(sh.parts));
  CountRoundReport report;
  report.parts_uri = parts->uri();
  report.part = ShardPartName(sh.run, kCountRound, sh.index, sh.count);
  report.index = sh.index;
  report.count = sh.count;
  if (!options.rejects_dir.empty()) {
    report.rejects_file =
        fmt::format("{}/{}-{}.jsonl", options.rejects_dir,
                    absl::FormatTime("%Y%m%dT%H%M%E3SZ", started, absl::UTCTimeZone()),
                    report.part.substr(report.part.rfind('/') + 1));
  }
  RejectLog rejects(report.rejects_file);
  std::vector<std::string> damaged;
  absl::StatusOr<CountSnapshot> snapshot =
      CountShard(options, rejects, &report.input_bytes, &damaged);
  NJ_RETURN_IF_ERROR(rejects.Close());
  if (!snapshot.ok()) return snapshot.status();
  if (!damaged.empty() && options.on_damaged_file == DamagedFilePolicy::kFail) {
    return absl::FailedPreconditionError(
        fmt::format("{} input file(s) could not be read to their end ({}); part {} not written "
                    "(corpus.on_damaged_file = skip counts what was read)",
                    damaged.size(), fmt::join(damaged, ", "), report.part));
  }
  snapshot->input_bytes = report.input_bytes;
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    const auto r = static_cast<RejectReason>(i);
    if (rejects.count(r) > 0) {
      snapshot->rejects.emplace_back(std::string(RejectReasonName(r)), rejects.count(r));
    }
  }
  snapshot->damaged_files = std::move(damaged);
  report.documents = snapshot->totals.documents;
  report.deleted = snapshot->totals.deleted;
  report.distinct_terms = snapshot->terms.size();
  report.rejected = rejects.total();
  if (report.rejected == 0) report.rejects_file.clear();
  const std::string bytes = EncodeCountSnapshot(*snapshot);
  report.part_bytes = bytes.size();
  NJ_RETURN_IF_ERROR(parts->Put(report.part, bytes));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

absl::StatusOr<std::unique_ptr<CountStage>> OpenPartsCount(const RefreshOptions& options,
                                                           RejectLog* rejects) {
  NJ_RETURN_IF_ERROR(CheckShardSettings(options.shard));
  if (options.shard.round != kPublishRound) {
    return absl::InvalidArgumentError("OpenPartsCount: not --round publish");
  }
  if (!options.state.path.empty()) {
    return absl::InvalidArgumentError("--state: sharded rounds keep no incremental state yet");
  }
  // Checked now so that a corpus URI that names nothing fails before the parts are read.
  SourceOptions so = options.source;
  so.shard = ShardSpec{};
  DiscardRejects none;
  NJ_RETURN_IF_ERROR(DocumentSource::Open(so, &none).status());
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<PartStore> parts, PartStore::Open(options.shard.parts));
  return std::unique_ptr<CountStage>(
      std::make_unique<PartsCountStage>(options, rejects, std::move(parts)));
}

std::string CountRoundReport::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("round").String(kCountRound).Key("shard").Uint(index);
  w.Key("shards").Uint(count).Key("parts").String(parts_uri).Key("part").String(part);
  w.Key("documents").Uint(documents).Key("deleted").Uint(deleted);
  w.Key("distinct_terms").Uint(distinct_terms).Key("rejected").Uint(rejected);
  w.Key("rejects_file").String(rejects_file).Key("input_bytes").Uint(input_bytes);
  w.Key("part_bytes").Uint(part_bytes).Key("seconds").Double(seconds);
  return w.EndObject().Take();
}

std::string CountRoundReport::Text() const {
  return fmt::format(
      "counted shard {}/{} into {} in {}\n"
      "  documents {} (deleted {}), rejected {}{}, distinct terms {}\n"
      "  {:.1f} MB input, part {:.1f} MB, {:.2f}s",
      index, count, part, parts_uri, documents, deleted, rejected,
      rejects_file.empty() ? "" : " -> " + rejects_file, distinct_terms,
      static_cast<double>(input_bytes) / 1e6, static_cast<double>(part_bytes) / 1e6, seconds);
}

}  // namespace nightjar
