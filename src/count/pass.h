#ifndef NIGHTJAR_COUNT_PASS_H_
#define NIGHTJAR_COUNT_PASS_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "corpus/document_source.h"

namespace nightjar {

// Live counters a progress reporter may read from another thread.
struct CountProgress {
  std::atomic<uint64_t> documents{0};
  std::atomic<uint64_t> bytes{0};  // batch bytes consumed
};

// Reads `source` to the end on `threads` threads (the caller's included): each calls
// fn(thread_index, doc) for the documents of the batches it takes, so per-thread state indexed by
// thread_index needs no locking. Rejected records go to `rejects`. Fails only when the source
// fails; the remaining threads then stop at their next batch. `progress` may be null.
[[nodiscard]] absl::Status RunPass(DocumentSource& source, int threads,
                                   const std::function<void(int, const Document&)>& fn,
                                   RejectSink& rejects, CountProgress* progress);

// A RejectSink that forgets: for the passes after the first, whose rejects the first counted.
class DiscardRejects : public RejectSink {
 public:
  void Add(const Reject&) override {}
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_PASS_H_
