#include "refresh/count_stage.h"

#include <optional>

#include "refresh/memory_plan.h"
#include "util/status_macros.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

class CorpusCountStage : public CountStage {
 public:
  CorpusCountStage(const RefreshOptions& options, RejectLog* rejects,
                   std::unique_ptr<DocumentSource> source)
      : options_(options), rejects_(rejects), source_(std::move(source)) {}

  absl::StatusOr<CountedCorpus> Count(RefreshObserver& observer) override {
    // The count pass also counts abbreviation definitions and keeps the tokenized text (within
    // passes.cache_mb), so that the mining passes need not read the corpus again.
    CountOptions count_options = options_.count;
    count_options.abbreviations = true;
    // Within the memory budget: the kept text and the term tables (which spill past theirs).
    const MemoryPlan plan = PlanMemory(options_, EffectiveThreads(options_.count.threads));
    count_options.cache_bytes = plan.caches;
    count_options.table_bytes = plan.tables;
    count_options.spill_dir = options_.spill_dir;
    CountProgress progress;
    observer.Counting([&] {
      SourceProgress in = source_->progress();
      return ProgressSample{progress.documents.load(), progress.bytes.load(), in.bytes_read,
                            in.bytes_total};
    });
    count_options.check_duplicate_ids = true;
    auto counted = CountCorpus(*source_, count_options, *rejects_, &progress);
    observer.Counting(nullptr);
    if (!counted.ok()) return counted.status();
    const CorpusTotals& t = counted->totals;
    if (t.deleted == 0 && counted->duplicate_ids == 0) {
      return CountedCorpus{std::move(counted).value(), source_->progress(),
                           source_->damaged_files()};
    }
    // Some id came twice, or a tombstone names one: only the winning copy of each id may count
    // (latest modified_at, then the last read), as an incremental run would have it. The
    // corpus is read again into a temporary state, which applies that rule.
    return Recount(observer, t.deleted);
  }

  SourceFactory Reopen() override {
    if (recount_) return recount_->Reopen();
    return [this] { return DocumentSource::Open(options_.source, &discarded_); };
  }

 private:
  absl::StatusOr<CountedCorpus> Recount(RefreshObserver& observer, uint64_t tombstones) {
    temp_.emplace();
    temp_options_ = options_;
    temp_options_.state.path = temp_->Sub("state");
    temp_options_.state.full = false;
    temp_options_.state.durable = false;  // removed with the stage: a crash may lose it
    NJ_ASSIGN_OR_RETURN(recount_, OpenStateCount(temp_options_, &recount_rejects_));
    NJ_ASSIGN_OR_RETURN(CountedCorpus out, recount_->Count(observer));
    out.counts.totals.deleted = tombstones;  // as the stateless count reports them
    out.input = source_->progress();
    out.damaged_files = source_->damaged_files();
    out.state_path = "(temporary)";
    return out;
  }

  const RefreshOptions& options_;
  RejectLog* rejects_;
  std::unique_ptr<DocumentSource> source_;
  DiscardRejects discarded_;  // the mining passes re-read what the count pass judged
  // The recount through a temporary state, when it was needed (removed with the stage).
  std::optional<TempDir> temp_;
  RefreshOptions temp_options_;
  RejectLog recount_rejects_{""};  // the count pass already reported them
  std::unique_ptr<CountStage> recount_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CountStage>> OpenCorpusCount(const RefreshOptions& options,
                                                            RejectLog* rejects) {
  NJ_ASSIGN_OR_RETURN(auto source, DocumentSource::Open(options.source, rejects));
  return std::unique_ptr<CountStage>(
      std::make_unique<CorpusCountStage>(options, rejects, std::move(source)));
}

}  // namespace nightjar
