#ifndef NIGHTJAR_SERVE_LIVE_SNAPSHOT_H_
#define NIGHTJAR_SERVE_LIVE_SNAPSHOT_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "obs/metrics.h"
#include "serve/snapshot.h"
#include "store/lexicon_store.h"

namespace nightjar {

// Opens a new connection to the store; called from the background thread.
using StoreOpener = std::function<absl::StatusOr<std::unique_ptr<LexiconStore>>()>;

struct LiveSnapshotOptions {
  absl::Duration poll = absl::Seconds(5);  // re-read the pointer this often even without events
  CorrectorOptions corrector;              // how snapshots correct
};

// The active version, kept loaded. A background thread waits for activation events (and polls,
// in case the event channel dropped); on a change it loads the new version while queries keep
// reading the old one, then swaps the pointer. A query holds the snapshot it started with until
// it finishes; the old one is freed with its last reader. Get() is thread-safe and lock-free
// for readers.
class LiveSnapshot {
 public:
  // Loads the current version before returning; NotFound when the store has none.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveSnapshot>> Start(
      StoreOpener open, const LiveSnapshotOptions& options, MetricsRegistry* metrics);
  ~LiveSnapshot();  // stops and joins the background thread
  LiveSnapshot(const LiveSnapshot&) = delete;
  LiveSnapshot& operator=(const LiveSnapshot&) = delete;

  std::shared_ptr<const Snapshot> Get() const { return current_.load(); }
  uint64_t swaps() const { return swaps_.load(); }
  // Asks the background thread to re-check the pointer now (admin endpoints call it).
  void Poke();

 private:
  LiveSnapshot(StoreOpener open, LiveSnapshotOptions options, MetricsRegistry* metrics);
  absl::Status LoadCurrent(LexiconStore& store);
  void Run();

  StoreOpener open_;
  LiveSnapshotOptions options_;
  MetricsRegistry* metrics_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<uint64_t> swaps_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> poked_{false};
  std::unique_ptr<LexiconStore> store_;  // the background thread's connection
  std::unique_ptr<VersionWatcher> watcher_;
  std::thread thread_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_SERVE_LIVE_SNAPSHOT_H_
