#ifndef NIGHTJAR_COUNT_TERM_RUNS_H_
#define NIGHTJAR_COUNT_TERM_RUNS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "count/term_table.h"
#include "util/temp_dir.h"

namespace nightjar {

// Term counts spilled to disk, and merged back. A count pass whose tables outgrow their share of
// the memory budget writes each as a sorted run and empties it (Spill); at the end one ordered
// scan over all the runs sums them (Merge). The only writer and reader of the run format:
//
//   "njtermrn" (8 bytes), format version (u32 LE, 1);
//   per entry, in (CountTable::Hash(term), term bytes) order: 1 (a byte), hash (u64 LE),
//     term length (varint), term bytes, frequency (varint), doc frequency (varint);
//   0 (a byte), the number of entries (u64 LE), XXH3-64 of every byte before it (u64 LE).
//
// Merging more runs than kMaxFanIn merges them in groups into larger runs first, so that a
// long pass never holds more than kMaxFanIn files open.
//
// Spill is thread-safe; Merge runs once the spilling is done.
class TermRuns {
 public:
  // Runs go into a fresh directory under `parent` ("" = $TMPDIR or /tmp), removed with this.
  explicit TermRuns(const std::string& parent = "");
  TermRuns(const TermRuns&) = delete;
  TermRuns& operator=(const TermRuns&) = delete;

  // Writes `table`'s counts as one run, then empties the table. Fails (leaving the table as it
  // was) when the run cannot be written.
  [[nodiscard]] absl::Status Spill(TermTable& table);
  static constexpr size_t kMaxFanIn = 64;
  size_t runs() const;
  uint64_t bytes() const;  // bytes of all the runs written

  // fn(term, stats) once for every term of every run, in (hash, term) order, with its counts
  // summed over the runs. DataLoss naming the run when one is cut short or corrupt.
  [[nodiscard]] absl::Status Merge(
      const std::function<void(std::string_view, const TermStats&)>& fn);

 private:
  std::string NextPath();
  std::unique_ptr<TempDir> dir_;
  mutable std::mutex mu_;
  std::vector<std::string> paths_;
  uint64_t bytes_ = 0;
  int next_ = 0;
};

// Writes `table` to `path` in the run format (no temp name: runs are private to one pass).
[[nodiscard]] absl::Status WriteTermRun(const TermTable& table, const std::string& path,
                                        uint64_t* bytes);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_TERM_RUNS_H_
