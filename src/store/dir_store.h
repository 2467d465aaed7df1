#ifndef NIGHTJAR_STORE_DIR_STORE_H_
#define NIGHTJAR_STORE_DIR_STORE_H_

#include <string>

#include "store/lexicon_store.h"
#include "store/manifest.h"

namespace nightjar {

// The lexicon file header's markers, checked on load (the manifest's are in manifest.h). Bump
// the version when the layout changes incompatibly.
inline constexpr std::string_view kLexiconMagic = "nightjar-lexicon";
inline constexpr int kFormatVersion = 1;

// A LexiconStore on a local directory. Layout (docs/architecture.md):
//   ROOT/CURRENT                   "V\n" then "P\n" (the rollback target, may be empty);
//                                  replaced by rename, which is the atomic switch
//   ROOT/LOCK                      flock held while a version is being built
//   ROOT/ACTIVATE.lock             flock held while CURRENT is switched
//   ROOT/AUDIT.jsonl               one AuditEvent per line, appended
//   ROOT/versions/V/MANIFEST.json  {"format":"nightjar-manifest","format_version":1,...}
//   ROOT/versions/V/STATUS.json    VersionStatusJson, replaced by rename
//   ROOT/versions/V/<lexicon>.jsonl  header {"format":"nightjar-lexicon",...} + records
//   ROOT/versions/.building-V/     a version being written; removed on failure or next Begin
//   ROOT/versions/.deleting-V/     a version being deleted; what a crashed Delete leaves is
//                                  removed by the next Begin
// Watchers use inotify on ROOT (CURRENT's rename).
class DirStore : public LexiconStore {
 public:
  explicit DirStore(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<std::unique_ptr<VersionBuilder>> Begin(absl::Time now) override;
  absl::StatusOr<std::optional<std::string>> Current() override;
  absl::StatusOr<std::optional<std::string>> Previous() override;
  absl::StatusOr<std::vector<VersionStatus>> List() override;
  absl::StatusOr<Manifest> ReadManifest(const std::string& version) override;
  absl::Status ScanLexicon(const std::string& version, std::string_view lexicon,
                           const std::function<void(std::string_view record)>& fn) override;
  absl::StatusOr<AuditEvent> Activate(const ActivateRequest& request) override;
  absl::Status Delete(const std::string& version) override;
  absl::StatusOr<std::vector<AuditEvent>> Audit(size_t limit) override;
  absl::StatusOr<std::unique_ptr<VersionWatcher>> Watch() override;

  const std::string& root() const { return root_; }

 private:
  // CURRENT's two lines; empty strings when absent.
  absl::StatusOr<std::pair<std::string, std::string>> ReadPointer();
  absl::StatusOr<VersionStatus> ReadStatus(const std::string& version);

  std::string root_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_DIR_STORE_H_
