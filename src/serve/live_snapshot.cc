#include "serve/live_snapshot.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>

#include "util/status_macros.h"

namespace nightjar {

LiveSnapshot::LiveSnapshot(StoreOpener open, LiveSnapshotOptions options, MetricsRegistry* metrics)
    : open_(std::move(open)), options_(options), metrics_(metrics) {}

absl::StatusOr<std::unique_ptr<LiveSnapshot>> LiveSnapshot::Start(
    StoreOpener open, const LiveSnapshotOptions& options, MetricsRegistry* metrics) {
  std::unique_ptr<LiveSnapshot> live(new LiveSnapshot(std::move(open), options, metrics));
  NJ_ASSIGN_OR_RETURN(live->store_, live->open_());
  NJ_ASSIGN_OR_RETURN(live->watcher_, live->store_->Watch());
  NJ_RETURN_IF_ERROR(live->LoadCurrent(*live->store_));
  live->thread_ = std::thread([p = live.get()] { p->Run(); });
  return live;
}

LiveSnapshot::~LiveSnapshot() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveSnapshot::Poke() { poked_ = true; }

absl::Status LiveSnapshot::LoadCurrent(LexiconStore& store) {
  NJ_ASSIGN_OR_RETURN(auto current, store.Current());
  if (!current) return absl::NotFoundError("the store has no active version to serve");
  auto held = current_.load();
  if (held && held->version() == *current) return absl::OkStatus();
  const auto t0 = std::chrono::steady_clock::now();
  NJ_ASSIGN_OR_RETURN(auto snapshot, Snapshot::Load(store, *current, options_.corrector));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  current_.store(std::move(snapshot));
  if (held) swaps_.fetch_add(1);
  if (metrics_ != nullptr) {
    metrics_->GetCounter("nightjar_snapshot_loads_total", "Snapshots loaded").Add();
    // Switches from one served version to another (the first load is not one).
    Counter& swaps = metrics_->GetCounter("nightjar_serve_swaps_total",
                                          "Switches of the served version to a newly active one");
    if (held) swaps.Add();
    metrics_->GetGauge("nightjar_snapshot_load_seconds", "Time the last snapshot took to load")
        .Set(seconds);
    metrics_->GetGauge("nightjar_snapshot_words", "Spelling words in the served snapshot")
        .Set(static_cast<double>(current_.load()->words()));
    // The version served, as an info metric: 1 for the current one, 0 for those replaced.
    const char* info = "The version served (1) and those it replaced (0)";
    if (held) {
      metrics_
          ->GetGauge("nightjar_serve_version_info", info,
                     fmt::format(R"(version="{}")", held->version()))
          .Set(0);
    }
    metrics_
        ->GetGauge("nightjar_serve_version_info", info, fmt::format(R"(version="{}")", *current))
        .Set(1);
  }
  spdlog::info("serving {} (loaded in {:.3f}s{})", *current, seconds,
               held ? ", replacing " + held->version() : "");
  return absl::OkStatus();
}

void LiveSnapshot::Run() {
  // Loading a new version must not starve live queries: this thread (and the index builders it
  // starts, which inherit it) runs at a lower CPU priority than the request threads.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  // Wake at least every 200 ms to notice stop_ and pokes; re-read the pointer on an event, a
  // poke, or every poll interval.
  auto last_check = std::chrono::steady_clock::now();
  const auto poll = absl::ToChronoMilliseconds(options_.poll);
  while (!stop_) {
    auto changed = watcher_->Wait(absl::Milliseconds(200));
    if (!changed.ok()) {
      spdlog::warn("version watch: {}; falling back to polling",
                   std::string(changed.status().message()));
    }
    const bool due = std::chrono::steady_clock::now() - last_check >= poll;
    if (!(changed.ok() && *changed) && !poked_.exchange(false) && !due) continue;
    last_check = std::chrono::steady_clock::now();
    absl::Status st = LoadCurrent(*store_);
    if (!st.ok()) {
      if (metrics_ != nullptr) {
        metrics_
            ->GetCounter("nightjar_snapshot_load_failures_total",
                         "Snapshot loads that failed (the old snapshot stays)")
            .Add();
      }
      spdlog::error("loading the active version failed, still serving the old one: {}",
                    std::string(st.message()));
      // A broken connection: open a fresh one for the next attempt.
      if (absl::IsUnavailable(st)) {
        auto fresh = open_();
        if (fresh.ok()) store_ = std::move(*fresh);
      }
    }
  }
}

}  // namespace nightjar
