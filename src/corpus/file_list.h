#ifndef NIGHTJAR_CORPUS_FILE_LIST_H_
#define NIGHTJAR_CORPUS_FILE_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nightjar {

// Expands a comma-separated list of files, directories and glob patterns into a sorted,
// de-duplicated list of files. Directories are walked recursively for *.jsonl, *.ndjson and
// *.json files, optionally ending in .gz or .zst. A named file is taken whatever its name.
// Fails with InvalidArgument naming the entry when an entry matches nothing.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ExpandCorpusPaths(const std::string& spec);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_FILE_LIST_H_
