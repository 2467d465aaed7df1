#ifndef NIGHTJAR_STORE_RETENTION_H_
#define NIGHTJAR_STORE_RETENTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/lexicon_store.h"

namespace nightjar {

struct RetentionOptions {
  double days = 7;            // retention.days: versions created longer ago are deleted
  bool after_refresh = true;  // retention.after_refresh: prune after every activating refresh
  absl::Duration max_age() const { return absl::Seconds(days * 86400); }
};

struct PruneResult {
  std::vector<std::string> deleted;  // (or, on a dry run, would be)
  std::vector<std::string> kept;     // every other committed version
};

// Deletes committed versions created before now - max_age, except the current version and the
// rollback target, whatever their age. With dry_run nothing is deleted.
[[nodiscard]] absl::StatusOr<PruneResult> PruneVersions(LexiconStore& store, absl::Time now,
                                                        absl::Duration max_age, bool dry_run);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_RETENTION_H_
