// The count stage of a refresh with persistent state (OpenStateCount in count_stage.h).
#include <fmt/format.h>

#include <chrono>
#include <mutex>

#include "absl/container/flat_hash_set.h"
#include "count/field_cache.h"
#include "refresh/count_stage.h"
#include "refresh/memory_plan.h"
#include "state/state_source.h"
#include "store/lexicon_store.h"
#include "util/peak_rss.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// Meta key: "<generation> <settings digest> <version>" of the last version published and
// activated from the state.
constexpr std::string_view kPublishedKey = "published";

class TrackingRejects : public RejectSink {
 public:
  explicit TrackingRejects(RejectSink* next) : next_(next) {}
  void Add(const Reject& r) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      inputs_.emplace(std::string(r.source));
    }
    next_->Add(r);
  }
  bool HadRejects(std::string_view input) const {
    std::lock_guard<std::mutex> lock(mu_);
    return inputs_.contains(std::string(input));
  }

 private:
  RejectSink* next_;
  mutable std::mutex mu_;
  absl::flat_hash_set<std::string> inputs_;
};

class StateCountStage : public CountStage {
 public:
  StateCountStage(const RefreshOptions& options, std::unique_ptr<TrackingRejects> rejects,
                  std::unique_ptr<DocumentSource> source, std::unique_ptr<StateStore> state)
      : options_(options),
        rejects_(std::move(rejects)),
        source_(std::move(source)),
        state_(std::move(state)) {}

  absl::StatusOr<CountedCorpus> Count(RefreshObserver& observer) override {
    UpdateOptions uo;
    uo.tokenizer = options_.count.tokenizer;
    uo.threads = EffectiveThreads(options_.count.threads);
    uo.checkpoint_docs = options_.state.checkpoint_docs;
    const MemoryPlan plan = PlanMemory(options_, uo.threads);
    uo.checkpoint_bytes = plan.checkpoint;
    uo.table_bytes = plan.deltas;
    StateUpdater updater(state_.get(), uo);
    std::atomic<uint64_t> docs{0}, bytes{0};
    observer.Counting([&] {
      const SourceProgress in = source_->progress();
      return ProgressSample{docs.load(), bytes.load(), in.bytes_read, in.bytes_total};
    });
    std::vector<std::pair<std::string, double>> steps;
    auto t = std::chrono::steady_clock::now();
    auto step = [&](const char* name) {
      const auto now = std::chrono::steady_clock::now();
      steps.emplace_back(name, std::chrono::duration<double>(now - t).count());
      t = now;
    };
    absl::Status status = Apply(updater, docs, bytes);
    observer.Counting(nullptr);
    NJ_RETURN_IF_ERROR(status);
    uint64_t gone = 0;
    if (options_.state.reconcile) {
      NJ_ASSIGN_OR_RETURN(gone, RemoveUnseen(updater));
    }
    NJ_RETURN_IF_ERROR(updater.Finish());
    step("state_update");
    if (options_.state.durable) {  // so that the next run need not replay the log
      NJ_RETURN_IF_ERROR(state_->Flush());
      step("state_flush");
    }
    const uint64_t count_peak_rss = PeakRssBytes();
    NJ_ASSIGN_OR_RETURN(CorpusCounts counts, state_->LoadCounts(options_.count.max_terms));
    counts.count_peak_rss = count_peak_rss;
    step("state_load");
    CountedCorpus out{std::move(counts), source_->progress(), source_->damaged_files(),
                      updater.report()};
    out.steps = std::move(steps);
    out.update->skipped_inputs = source_->skipped_inputs();
    out.update->gone = gone;
    // Repeats of an id anywhere in the run, not only within one checkpoint.
    std::vector<std::vector<uint64_t>> ids;
    ids.push_back(std::move(ids_));
    out.update->duplicates = CountDuplicates(std::move(ids));
    out.state_path = state_->path();
    return out;
  }

  std::optional<std::string> PublishedFrom(std::string_view settings) override {
    auto marker = state_->GetMeta(kPublishedKey);
    auto generation = state_->Generation();
    if (!marker.ok() || !marker->has_value() || !generation.ok()) return std::nullopt;
    const std::string prefix = fmt::format("{} {} ", *generation, settings);
    if ((*marker)->rfind(prefix, 0) != 0) return std::nullopt;
    return (*marker)->substr(prefix.size());
  }

  absl::Status MarkPublished(std::string_view version, std::string_view settings) override {
    NJ_ASSIGN_OR_RETURN(const uint64_t generation, state_->Generation());
    StateBatch b = state_->NewBatch();
    b.PutMeta(kPublishedKey, fmt::format("{} {} {}", generation, settings, version));
    return state_->Commit(b);
  }

  SourceFactory Reopen() override {
    return [this]() -> absl::StatusOr<std::unique_ptr<DocumentSource>> {
      return OpenStateSource(*state_);
    };
  }

  const StateStore* state() const override { return state_.get(); }

 private:
  // Offers the corpus's documents in source order: batches one after another, each parsed on
  // this thread (the order decides which of two copies with one time wins).
  absl::Status Apply(StateUpdater& updater, std::atomic<uint64_t>& docs,
                     std::atomic<uint64_t>& bytes) {
    absl::Status status;
    auto take_cursors = [&] {
      for (SourceCursor& c : source_->TakeFinishedCursors()) {
        if (!rejects_->HadRejects(c.input)) updater.SetCursor(std::move(c.key), std::move(c.value));
      }
    };
    while (status.ok()) {
      NJ_ASSIGN_OR_RETURN(std::unique_ptr<DocumentBatch> batch, source_->Next());
      if (batch == nullptr) {
        take_cursors();  // files skipped past the last batch may have refreshed theirs
        break;
      }
      batch->ForEach(
          [&](const Document& doc) {
            if (status.ok()) status = updater.Offer(doc);
            const uint64_t hash = DocumentIdHash(doc.id);
            ids_.push_back(hash);
            if (options_.state.reconcile) seen_.insert(hash);
            docs.fetch_add(1, std::memory_order_relaxed);
          },
          *rejects_);
      bytes.fetch_add(batch->bytes(), std::memory_order_relaxed);
      // Inputs whose every document has now been offered: their cursors are committed with the
      // next checkpoint, which holds those documents.
      take_cursors();
    }
    return status;
  }

  // Offers a tombstone (with no time, so that it wins) for every live document of the state
  // that the corpus did not hand out this run. Ids are compared by their 64-bit hash.
  absl::StatusOr<uint64_t> RemoveUnseen(StateUpdater& updater) {
    std::vector<std::string> gone;
    NJ_RETURN_IF_ERROR(state_->ForEachDocument([&](std::string_view id, const DocRecord& r) {
      if (!r.deleted && !seen_.contains(DocumentIdHash(id))) gone.emplace_back(id);
    }));
    for (const std::string& id : gone) {
      Document tombstone;
      tombstone.id = id;
      tombstone.deleted = true;
      NJ_RETURN_IF_ERROR(updater.Offer(tombstone));
    }
    return gone.size();
  }

  const RefreshOptions& options_;
  std::unique_ptr<TrackingRejects> rejects_;  // before source_, which reports to it
  std::unique_ptr<DocumentSource> source_;
  std::unique_ptr<StateStore> state_;
  absl::flat_hash_set<uint64_t> seen_;  // ids handed out, when reconciling
  std::vector<uint64_t> ids_;           // the id hash of every document offered this run
};

}  // namespace

std::string StateIdentity(const RefreshOptions& o) {
  const TokenizerOptions& t = o.count.tokenizer;
  return fmt::format(
      "tokenizer digits={} numbers={} inner_apostrophe={} inner_hyphen={} max_token_bytes={}; "
      "text_fields={}; max_document_bytes={}",
      t.digits, t.numbers, t.inner_apostrophe, t.inner_hyphen, t.max_token_bytes,
      fmt::join(o.source.schema.text_fields, ","), o.source.schema.max_document_bytes);
}

std::string StatePath(const RefreshOptions& options) {
  if (options.state.path != "auto") return options.state.path;
  // The store URI was checked when the refresh opened the store.
  auto dir = LexiconStore::DirPath(options.store_uri);
  const std::string base = dir.ok() && dir->has_value() ? **dir : "./var/nightjar";
  const ShardSettings& sh = options.shard;
  if (sh.round.empty()) return base + "/state";
  return fmt::format("{}/state-shards/shard-{:05d}-of-{:05d}", base, sh.index, sh.count);
}

StateOptions StateOptionsFor(const RefreshOptions& options) {
  StateOptions so;
  so.path = StatePath(options);
  so.identity = StateIdentity(options);
  if (!options.shard.round.empty()) {
    so.identity += fmt::format("; shard {}/{}", options.shard.index, options.shard.count);
  }
  so.memory_bytes = PlanMemory(options, EffectiveThreads(options.count.threads)).state;
  so.wal = options.state.durable;
  return so;
}

absl::StatusOr<std::unique_ptr<CountStage>> OpenStateCount(const RefreshOptions& options,
                                                           RejectLog* rejects) {
  const StateOptions so = StateOptionsFor(options);
  if (options.state.full) NJ_RETURN_IF_ERROR(StateStore::Destroy(so.path));
  NJ_ASSIGN_OR_RETURN(auto state, StateStore::Open(so));
  // Sources ask for their stored cursors: JSONL files an earlier run read to their end,
  // unchanged since, are skipped (the state holds their documents), and databases start from
  // their stored cursor, less their overlap. Reconciling reads everything.
  SourceOptions source_options = options.source;
  source_options.verify_skipped = options.state.verify_files;
  source_options.resume = [s = state.get(), all = options.state.reconcile](
                              const std::string& key) -> std::optional<std::string> {
    if (all) return std::nullopt;
    auto held = s->GetCursor(key);
    if (!held.ok() || !held->has_value()) return std::nullopt;
    return **held;
  };
  auto tracking = std::make_unique<TrackingRejects>(rejects);
  NJ_ASSIGN_OR_RETURN(auto source, DocumentSource::Open(source_options, tracking.get()));
  return std::unique_ptr<CountStage>(std::make_unique<StateCountStage>(
      options, std::move(tracking), std::move(source), std::move(state)));
}

}  // namespace nightjar
