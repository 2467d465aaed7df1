#ifndef NIGHTJAR_REFRESH_MEMORY_PLAN_H_
#define NIGHTJAR_REFRESH_MEMORY_PLAN_H_

#include <cstddef>
#include <cstdint>

#include "refresh/refresh_options.h"

namespace nightjar {

// How refresh.memory_budget_mb (--memory-budget) is shared among what the read, count and
// state-update phases hold (docs/architecture.md, "Memory"). Mining is bounded separately, by
// its selection sizes (MiningBoundBytes).
struct MemoryPlan {
  size_t budget = 0;      // the whole budget
  size_t reserve = 0;     // the process, the source's batches and parsers: kept out of the rest
  size_t caches = 0;      // token text kept for mining (passes.cache_mb, at most a quarter)
  size_t tables = 0;      // stateless: term tables over all threads; past it they spill to runs
  size_t state = 0;       // stateful: RocksDB memtables and block cache
  size_t checkpoint = 0;  // stateful: text of one checkpoint (state.checkpoint_mb, at most 1/16)
  size_t deltas = 0;      // stateful: the term deltas counted from one checkpoint
};

// The plan for `options` on `threads` threads. The budget must be at least kMinMemoryBudgetMb.
MemoryPlan PlanMemory(const RefreshOptions& options, int threads);

inline constexpr int64_t kMinMemoryBudgetMb = 128;

// An upper bound of mining's working set, from its selection sizes and the kept counts: the
// vocabulary (`counts.terms`, at most count.max_terms), the words the delete index and the
// phrase pass take from it, the kept text, the unit counts and vectors. The formula is in
// docs/architecture.md ("Memory").
uint64_t MiningBoundBytes(const RefreshOptions& options, const CorpusCounts& counts, int threads);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_MEMORY_PLAN_H_
