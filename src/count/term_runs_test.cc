#include "count/term_runs.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using Counts = std::map<std::string, std::pair<uint64_t, uint64_t>>;

// Spills `tables` tables of random terms (some shared between tables, some long) into `runs`,
// and returns what their sum must be.
Counts SpillRandomTables(TermRuns& runs, int tables, int terms_each, uint32_t seed) {
  std::mt19937 rng(seed);
  Counts want;
  for (int t = 0; t < tables; ++t) {
    TermTable table;
    for (int i = 0; i < terms_each; ++i) {
      std::string term = "w" + std::to_string(rng() % 5000);
      if (rng() % 7 == 0) term += std::string(20, 'x');  // kept in the arena
      const TermStats s{1 + rng() % 9, 1};
      table.Add(term, s);
      want[term].first += s.frequency;
      want[term].second += s.doc_frequency;
    }
    EXPECT_TRUE(runs.Spill(table).ok());
    EXPECT_EQ(table.size(), 0u);  // emptied
  }
  return want;
}

Counts MergeAllRuns(TermRuns& runs, absl::Status* status) {
  Counts got;
  uint64_t prev_hash = 0;
  std::string prev;
  *status = runs.Merge([&](std::string_view term, const TermStats& s) {
    const uint64_t h = CountTable::Hash(term);
    EXPECT_TRUE(got.empty() || h > prev_hash || (h == prev_hash && std::string(term) > prev));
    EXPECT_FALSE(got.contains(std::string(term))) << "each term once";
    prev_hash = h;
    prev = std::string(term);
    got[std::string(term)] = {s.frequency, s.doc_frequency};
  });
  return got;
}

TEST(TermRunsTest, MergeSumsEveryRunInHashOrder) {
  TermRuns runs;
  const Counts want = SpillRandomTables(runs, 5, 3000, 1);
  EXPECT_EQ(runs.runs(), 5u);
  EXPECT_GT(runs.bytes(), 0u);
  absl::Status status;
  EXPECT_EQ(MergeAllRuns(runs, &status), want);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(TermRunsTest, MoreRunsThanTheFanInMergeInGroups) {
  TermRuns runs;
  const Counts want =
      SpillRandomTables(runs, static_cast<int>(TermRuns::kMaxFanIn) * 2 + 3, 200, 2);
  absl::Status status;
  EXPECT_EQ(MergeAllRuns(runs, &status), want);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(TermRunsTest, EmptyTableIsAnEmptyRun) {
  TermRuns runs;
  TermTable empty;
  ASSERT_TRUE(runs.Spill(empty).ok());
  absl::Status status;
  EXPECT_TRUE(MergeAllRuns(runs, &status).empty());
  EXPECT_TRUE(status.ok()) << status;
}

// Every way a run can be damaged fails the merge with DataLoss naming the run.
TEST(TermRunsTest, DamagedRunsFailLoudly) {
  TempDir parent;
  for (int damage = 0; damage < 4; ++damage) {
    SCOPED_TRACE(damage);
    TermRuns runs(parent.path());
    SpillRandomTables(runs, 2, 500, 3);
    std::string run;
    for (const auto& e : std::filesystem::recursive_directory_iterator(parent.path())) {
      if (e.is_regular_file()) run = e.path().string();
    }
    ASSERT_FALSE(run.empty());
    std::string bytes;
    {
      std::ifstream in(run, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (damage == 0) bytes[bytes.size() / 2] ^= 0x10;  // a flipped bit: checksum
    if (damage == 1) bytes.resize(bytes.size() - 9);   // cut before its checksum
    if (damage == 2) bytes.resize(bytes.size() / 2);   // cut mid-entry
    if (damage == 3) bytes[0] = 'X';                   // not a run
    std::ofstream(run, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
    absl::Status status;
    MergeAllRuns(runs, &status);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_NE(status.message().find(run), std::string::npos) << status;
  }
}

}  // namespace
}  // namespace nightjar
