#include "count/pass.h"

#include <mutex>
#include <vector>

#include "util/parallel.h"

namespace nightjar {

absl::Status RunPass(DocumentSource& source, int threads,
                     const std::function<void(int, const Document&)>& fn, RejectSink& rejects,
                     CountProgress* progress) {
  std::mutex error_mu;
  absl::Status error;
  std::atomic<bool> stop{false};

  auto work = [&](int index) {
    while (!stop.load(std::memory_order_relaxed)) {
      auto batch = source.Next();
      if (!batch.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (error.ok()) error = batch.status();
        stop = true;
        return;
      }
      if (*batch == nullptr) return;
      uint64_t docs = 0;
      (*batch)->ForEach(
          [&](const Document& doc) {
            fn(index, doc);
            ++docs;
          },
          rejects);
      if (progress != nullptr) {
        progress->documents.fetch_add(docs, std::memory_order_relaxed);
        progress->bytes.fetch_add((*batch)->bytes(), std::memory_order_relaxed);
      }
    }
  };

  ParallelFor(threads, work);
  return error;
}

}  // namespace nightjar
