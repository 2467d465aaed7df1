#ifndef NIGHTJAR_REFRESH_OBSERVER_H_
#define NIGHTJAR_REFRESH_OBSERVER_H_

#include <functional>
#include <string_view>

#include "obs/progress.h"

namespace nightjar {

// The stages of a refresh, in the order they run.
inline constexpr std::string_view kCountStage = "count";      // read the corpus, count
inline constexpr std::string_view kGateStage = "gates";       // reject share, empty corpus
inline constexpr std::string_view kMineStage = "mine";        // every lexicon from the counts
inline constexpr std::string_view kPublishStage = "publish";  // build, validate, seal, commit,
                                                              // activate, prune

// Told what a refresh is doing, so that a command line can draw progress and a job runner can
// report the same stages as job progress. Called on the thread that runs the refresh; the
// default implementations do nothing.
class RefreshObserver {
 public:
  virtual ~RefreshObserver() = default;
  virtual void StageBegun(std::string_view stage) {}
  virtual void StageEnded(std::string_view stage, double seconds) {}
  // The count stage's progress: `sample` is thread-safe and valid until StageEnded(kCountStage).
  virtual void Counting(std::function<ProgressSample()> sample) {}
};

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_OBSERVER_H_
