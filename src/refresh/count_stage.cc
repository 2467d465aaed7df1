#include "refresh/count_stage.h"

#include "util/status_macros.h"

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
    count_options.cache_bytes = static_cast<size_t>(options_.lexicons.pass_cache_mb) << 20;
    CountProgress progress;
    observer.Counting([&] {
      SourceProgress in = source_->progress();
      return ProgressSample{progress.documents.load(), progress.bytes.load(), in.bytes_read,
                            in.bytes_total};
    });
    auto counted = CountCorpus(*source_, count_options, *rejects_, &progress);
    observer.Counting(nullptr);
    if (!counted.ok()) return counted.status();
    return CountedCorpus{std::move(counted).value(), source_->progress(), source_->damaged_files()};
  }

  SourceFactory Reopen() override {
    return [this] { return DocumentSource::Open(options_.source, &discarded_); };
  }

 private:
  const RefreshOptions& options_;
  RejectLog* rejects_;
  std::unique_ptr<DocumentSource> source_;
  DiscardRejects discarded_;  // the mining passes re-read what the count pass judged
};

}  // namespace

absl::StatusOr<std::unique_ptr<CountStage>> OpenCorpusCount(const RefreshOptions& options,
                                                            RejectLog* rejects) {
  NJ_ASSIGN_OR_RETURN(auto source, DocumentSource::Open(options.source, rejects));
  return std::unique_ptr<CountStage>(
      std::make_unique<CorpusCountStage>(options, rejects, std::move(source)));
}

}  // namespace nightjar
