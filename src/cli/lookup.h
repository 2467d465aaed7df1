#ifndef NIGHTJAR_CLI_LOOKUP_H_
#define NIGHTJAR_CLI_LOOKUP_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lexicon/corrector.h"

namespace nightjar {

struct LookupFlags {
  std::string store_uri;             // required
  std::string version;               // empty = the current version
  bool json = false;                 // one JSON object per query instead of text
  std::vector<std::string> queries;  // empty = one query per line of `in`
  CorrectorOptions corrector;        // --second-edit-margin
};

// Loads a version's spelling, corrections, expansions and related lexicons, then answers each
// query: the corrected text, each token's correction with its score, expansions of its terms and
// phrases, and related terms. Writes one answer per query to `out`.
[[nodiscard]] absl::Status RunLookup(const LookupFlags& flags, std::FILE* in, std::FILE* out);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_LOOKUP_H_
