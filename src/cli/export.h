#ifndef NIGHTJAR_CLI_EXPORT_H_
#define NIGHTJAR_CLI_EXPORT_H_

#include <cstdio>
#include <string>

#include "absl/status/status.h"

namespace nightjar {

struct ExportFlags {
  std::string store_uri;  // required
  std::string version;    // empty = the current version
  std::string lexicon;    // spelling | ngrams
  std::string format = "jsonl";
};

// Writes the records of one lexicon of one version to `out`, one JSON object per line.
[[nodiscard]] absl::Status RunExport(const ExportFlags& flags, std::FILE* out);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_EXPORT_H_
