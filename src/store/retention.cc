#include "store/retention.h"

#include "util/status_macros.h"

namespace nightjar {

absl::StatusOr<PruneResult> PruneVersions(LexiconStore& store, absl::Time now,
                                          absl::Duration max_age, bool dry_run) {
  NJ_ASSIGN_OR_RETURN(auto current, store.Current());
  NJ_ASSIGN_OR_RETURN(auto previous, store.Previous());
  NJ_ASSIGN_OR_RETURN(auto versions, store.List());
  PruneResult out;
  const absl::Time cutoff = now - max_age;
  for (const auto& v : versions) {
    const bool protected_version = v.version == current || v.version == previous;
    if (protected_version || v.created_at >= cutoff) {
      out.kept.push_back(v.version);
      continue;
    }
    if (!dry_run) NJ_RETURN_IF_ERROR(store.Delete(v.version));
    out.deleted.push_back(v.version);
  }
  return out;
}

}  // namespace nightjar
