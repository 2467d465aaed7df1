#ifndef NIGHTJAR_STORE_LEXICON_STORE_H_
#define NIGHTJAR_STORE_LEXICON_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lexicon/records.h"  // the lexicon names
#include "store/version_state.h"

namespace nightjar {

struct Manifest;

// True for lexicons read only whole (kVocabularyLexicon, kBigramsLexicon).
inline bool IsBulkLexicon(std::string_view name) {
  return name == kVocabularyLexicon || name == kBigramsLexicon;
}

// One sealed lexicon of a version being built.
struct LexiconFileInfo {
  std::string name;      // "spelling", "ngrams", ...
  uint64_t records = 0;  // records written
  uint64_t bytes = 0;    // record bytes (plus the dir store's header and newlines)
  std::string checksum;  // RecordSetChecksum: the same records give the same value in any store
};

// Writes one new version, which stays `building` (never readable as current) until Commit.
// Not thread-safe. Destroying it before Commit() discards what it wrote, as best it can; what a
// crash leaves behind is removed by the store's next Begin().
class VersionBuilder {
 public:
  virtual ~VersionBuilder() = default;
  virtual const std::string& version() const = 0;
  // Appends one JSON record (no newline) to `lexicon` under `key` (the word, term, variant, ...;
  // unique within the lexicon), creating the lexicon on first use.
  [[nodiscard]] virtual absl::Status Append(std::string_view lexicon, std::string_view key,
                                            std::string_view record) = 0;
  // Creates `lexicon` with no records unless it exists already: an empty lexicon is still a
  // lexicon, listed by Seal and readable by ScanLexicon.
  [[nodiscard]] virtual absl::Status Declare(std::string_view lexicon) = 0;
  // Makes every lexicon durable, checks nothing was lost, and returns what was written, in name
  // order. No Append after.
  [[nodiscard]] virtual absl::StatusOr<std::vector<LexiconFileInfo>> Seal() = 0;
  // Writes `manifest` and moves the version to `state` (kValidated or kRejected, with `note`
  // saying why). Never activates: that is LexiconStore::Activate. Requires Seal().
  [[nodiscard]] virtual absl::Status Commit(const Manifest& manifest, VersionState state,
                                            std::string_view note) = 0;
};

// What an Activate call asks for.
struct ActivateRequest {
  std::string version;                 // the version to make current; empty = the previous one
  std::string action = "activate";     // "activate" or "rollback", recorded in the audit list
  std::string actor = "cli";           // who or what asked, recorded in the status and audit
  bool force = false;                  // allow a rejected version
  absl::Time now = absl::UnixEpoch();  // the activation time recorded
};

// Notices changes of the current-version pointer. Not thread-safe; one per waiting thread.
class VersionWatcher {
 public:
  virtual ~VersionWatcher() = default;
  // Blocks up to `timeout`; true when the pointer may have changed (spurious wake-ups allowed),
  // false on timeout. Callers re-read Current() either way now and then: an error (a dropped
  // connection) is reported once and the watcher keeps trying to re-establish itself.
  [[nodiscard]] virtual absl::StatusOr<bool> Wait(absl::Duration timeout) = 0;
};

// A versioned lexicon store: "dir:PATH" (a bare path means dir:) or
// "redis://[user:password@]host:port/db[?namespace=NAME]". Each method is safe to call from
// several threads only on distinct store objects (open one per thread); different processes
// may share one store.
class LexiconStore {
 public:
  virtual ~LexiconStore() = default;

  // Starts a new version named for `now` (UTC): v1.YYYYMMDD, then v1.YYYYMMDD.2, .3, ... for
  // later runs that day. Concurrent builders on one store are serialized; versions a crashed
  // builder left `building` are deleted first.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<VersionBuilder>> Begin(absl::Time now) = 0;
  // The current (active) version; nullopt when none was ever activated.
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> Current() = 0;
  // The rollback target: the version active before the current one; nullopt when none.
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> Previous() = 0;
  // Committed versions (validated, active, retired, rejected), oldest first.
  [[nodiscard]] virtual absl::StatusOr<std::vector<VersionStatus>> List() = 0;
  // The manifest of a committed version (Manifest::Parse: magic and format version checked).
  [[nodiscard]] virtual absl::StatusOr<Manifest> ReadManifest(const std::string& version) = 0;
  // Calls fn with each record of `lexicon` in `version` (file order for dir:, unordered for
  // redis:) and verifies the manifest's checksum at the end (DataLoss on mismatch). NotFound
  // when the version or lexicon does not exist.
  [[nodiscard]] virtual absl::Status ScanLexicon(
      const std::string& version, std::string_view lexicon,
      const std::function<void(std::string_view record)>& fn) = 0;

  // In one atomic step: makes the version current, marks it active and the old current retired,
  // remembers the old current as the rollback target, appends to the audit list and notifies
  // watchers. NotFound for an unknown version, FailedPrecondition for a building or (without
  // force) rejected one, or when a rollback has no target.
  [[nodiscard]] virtual absl::StatusOr<AuditEvent> Activate(const ActivateRequest& request) = 0;
  // Deletes a committed version that is neither current nor the rollback target.
  [[nodiscard]] virtual absl::Status Delete(const std::string& version) = 0;
  // The newest `limit` activations and rollbacks, newest first.
  [[nodiscard]] virtual absl::StatusOr<std::vector<AuditEvent>> Audit(size_t limit) = 0;
  // A watcher for the current-version pointer.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<VersionWatcher>> Watch() = 0;

  // The directory of a directory store's URI ("dir:PATH" or a bare path, trailing slashes
  // dropped); nullopt for another scheme. InvalidArgument when the URI is malformed.
  [[nodiscard]] static absl::StatusOr<std::optional<std::string>> DirPath(const std::string& uri);
  // Opens the store a URI names. InvalidArgument naming the URI when it is malformed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LexiconStore>> Open(const std::string& uri);
};

// The name for the next version on the day of `now`, given the versions that exist.
std::string NextVersionName(absl::Time now, const std::vector<std::string>& existing);

// True when `name` is a well-formed version name (v1.YYYYMMDD or v1.YYYYMMDD.N, N >= 2).
bool IsVersionName(std::string_view name);

// Orders version names by date, then same-day suffix.
bool VersionNameLess(const std::string& a, const std::string& b);

// True for names a lexicon may have: [a-z0-9_]{1,64}.
bool IsLexiconName(std::string_view name);

// `version` when non-empty, else the store's current version; NotFound when there is none.
[[nodiscard]] absl::StatusOr<std::string> ResolveVersion(LexiconStore& store,
                                                         const std::string& version,
                                                         std::string_view store_uri);

// Order-independent checksum of a lexicon's records: "xxh3sum:" + the hex sum (mod 2^64) of
// each record's XXH3-64. Not thread-safe.
class RecordSetChecksum {
 public:
  void Add(std::string_view record);
  std::string Hex() const;

 private:
  uint64_t sum_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_LEXICON_STORE_H_
