#include "state/state_source.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nightjar {
namespace {

class StateBatchOfDocuments : public DocumentBatch {
 public:
  explicit StateBatchOfDocuments(std::vector<std::pair<std::string, DocRecord>> docs)
      : docs_(std::move(docs)) {
    for (const auto& [id, r] : docs_) {
      for (const auto& f : r.fields) bytes_ += f.size();
    }
  }
  void ForEach(const std::function<void(const Document&)>& fn, RejectSink&) override {
    std::vector<std::string_view> views;
    for (const auto& [id, r] : docs_) {
      if (!r.deleted) fn(r.View(id, &views));
    }
  }
  uint64_t bytes() const override { return bytes_; }

 private:
  std::vector<std::pair<std::string, DocRecord>> docs_;
  uint64_t bytes_ = 0;
};

class StateDocumentSource : public DocumentSource {
 public:
  StateDocumentSource(const StateStore& state, size_t batch_bytes)
      : state_(state), batch_bytes_(batch_bytes) {}

  absl::StatusOr<std::unique_ptr<DocumentBatch>> Next() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return std::unique_ptr<DocumentBatch>();
    std::vector<std::pair<std::string, DocRecord>> docs;
    absl::StatusOr<bool> more = state_.ReadDocuments(last_, batch_bytes_, &docs);
    if (!more.ok()) return more.status();
    done_ = !*more;
    if (docs.empty()) return std::unique_ptr<DocumentBatch>();
    last_ = docs.back().first;
    auto batch = std::make_unique<StateBatchOfDocuments>(std::move(docs));
    bytes_read_ += batch->bytes();
    return std::unique_ptr<DocumentBatch>(std::move(batch));
  }
  SourceProgress progress() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return SourceProgress{bytes_read_, 0};
  }
  std::vector<std::string> damaged_files() const override { return {}; }

 private:
  const StateStore& state_;
  const size_t batch_bytes_;
  mutable std::mutex mu_;
  std::string last_;  // the last id handed out
  bool done_ = false;
  uint64_t bytes_read_ = 0;
};

}  // namespace

std::unique_ptr<DocumentSource> OpenStateSource(const StateStore& state, size_t batch_bytes) {
  return std::make_unique<StateDocumentSource>(state, batch_bytes);
}

}  // namespace nightjar
