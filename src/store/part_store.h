#ifndef NIGHTJAR_STORE_PART_STORE_H_
#define NIGHTJAR_STORE_PART_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nightjar {

// Shared storage for the parts a sharded refresh's rounds hand each other: whole objects named
// by relative paths ("runs/ID/count/part-00000-of-00004"; letters, digits, '.', '_', '-' and
// '/' separators, no empty or dot-only segments). "dir:PATH" is a directory on a volume every
// pod mounts (a ReadWriteMany PVC); "s3://BUCKET/PREFIX?endpoint=URL" an S3-protocol bucket
// (s3_part_store.h). Writes are atomic and idempotence rests on them alone
// (no conditional puts): two writers of one name leave one whole object, the last one's. Each
// method is safe to call from several threads and processes.
class PartStore {
 public:
  virtual ~PartStore() = default;

  // Opens the store `uri` names. InvalidArgument naming the URI when it is not one.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PartStore>> Open(const std::string& uri);

  // Writes object `name` whole: readers see the old object or the new one, never a part of it.
  [[nodiscard]] virtual absl::Status Put(std::string_view name, std::string_view bytes) = 0;
  // The bytes of object `name`; nullopt when there is none.
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view name) = 0;
  // The names of the objects under `prefix` (a folder: "runs/ID/"), sorted.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> List(std::string_view prefix) = 0;
  // When object `name` was last written; nullopt when there is none.
  [[nodiscard]] virtual absl::StatusOr<std::optional<absl::Time>> ModifiedAt(
      std::string_view name) = 0;
  // Removes every object under the folder `prefix`; OK when there is none.
  [[nodiscard]] virtual absl::Status RemoveAll(std::string_view prefix) = 0;
  // The URI it was opened with, for messages.
  virtual const std::string& uri() const = 0;
};

// Whether `name` is a valid object name (see PartStore); a folder prefix may end in '/'.
bool IsPartName(std::string_view name);
// OK for an object name (IsPartName, no trailing '/'), else InvalidArgument naming it; every
// PartStore checks its arguments with these.
[[nodiscard]] absl::Status CheckPartName(std::string_view name);
// OK for a folder prefix (IsPartName; "" only when `may_be_empty`: the whole store).
[[nodiscard]] absl::Status CheckPartPrefix(std::string_view prefix, bool may_be_empty);

// Removes the parts of every run under "runs/" whose newest object is older than `max_age`
// at `now`, except run `keep`; returns the run ids removed. A sharded refresh's retention.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> PruneRuns(PartStore& parts, absl::Time now,
                                                                 absl::Duration max_age,
                                                                 std::string_view keep);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_PART_STORE_H_
