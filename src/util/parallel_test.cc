#include "util/parallel.h"

#include <atomic>
#include <cstddef>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(ParallelForTest, RunsEveryIndexOnceAndJoinsBeforeReturning) {
  for (int n : {1, 2, 7}) {
    std::vector<int> runs(static_cast<size_t>(n), 0);
    ParallelFor(n, [&](int i) { ++runs[static_cast<size_t>(i)]; });
    // Read after the return: each slot written by exactly one call, every thread joined.
    EXPECT_EQ(runs, std::vector<int>(static_cast<size_t>(n), 1)) << n;
  }
}

TEST(ParallelForTest, IndexZeroRunsOnTheCallingThreadTheRestOnOthers) {
  std::vector<std::thread::id> ids(4);
  ParallelFor(size_t{4}, [&](size_t i) { ids[i] = std::this_thread::get_id(); });
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  EXPECT_EQ(std::set<std::thread::id>(ids.begin(), ids.end()).size(), 4u);
}

TEST(ParallelForTest, NothingRunsForZeroOrNegativeCounts) {
  std::atomic<int> calls{0};
  ParallelFor(0, [&](int) { ++calls; });
  ParallelFor(-3, [&](int) { ++calls; });
  EXPECT_EQ(calls.load(), 0);
}

TEST(ParallelForTest, OtherThreadsAreJoinedWhenTheCallersShardThrows) {
  std::atomic<int> finished{0};
  EXPECT_THROW(ParallelFor(3,
                           [&](int i) {
                             if (i == 0) throw std::runtime_error("shard 0");
                             ++finished;
                           }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 2);  // both other shards ran to the end before the throw left
}

TEST(RunBesideTest, RunsBothBesideOrInOrderAndJoinsBeforeReturning) {
  for (bool beside : {false, true}) {
    std::thread::id main_id, side_id;
    int main_runs = 0, side_runs = 0;
    RunBeside(
        beside,
        [&] {
          ++main_runs;
          main_id = std::this_thread::get_id();
        },
        [&] {
          ++side_runs;
          side_id = std::this_thread::get_id();
        });
    EXPECT_EQ(main_runs, 1);
    EXPECT_EQ(side_runs, 1);
    EXPECT_EQ(main_id, std::this_thread::get_id());
    EXPECT_EQ(side_id != main_id, beside);
  }
}

}  // namespace
}  // namespace nightjar
