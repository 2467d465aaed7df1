#ifndef NIGHTJAR_STORE_DIR_STORE_H_
#define NIGHTJAR_STORE_DIR_STORE_H_

#include <string>

#include "store/lexicon_store.h"

namespace nightjar {

// Format markers checked on load. Bump the version when a layout changes incompatibly.
inline constexpr std::string_view kManifestMagic = "nightjar-manifest";
inline constexpr std::string_view kLexiconMagic = "nightjar-lexicon";
inline constexpr int kFormatVersion = 1;

// A LexiconStore on a local directory. Layout (docs/architecture.md):
//   ROOT/CURRENT                       name of the current version + "\n" (replaced by rename)
//   ROOT/LOCK                          flock held while a version is being built
//   ROOT/versions/V/MANIFEST.json      {"format":"nightjar-manifest","format_version":1,...}
//   ROOT/versions/V/<lexicon>.jsonl    header line {"format":"nightjar-lexicon",...} + records
//   ROOT/versions/.building-V/         a version being written; removed on failure or next run
class DirStore : public LexiconStore {
 public:
  explicit DirStore(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<std::unique_ptr<VersionBuilder>> Begin(absl::Time now) override;
  absl::StatusOr<std::optional<std::string>> Current() override;
  absl::StatusOr<std::vector<std::string>> List() override;
  absl::StatusOr<std::string> ReadManifest(const std::string& version) override;
  absl::Status ScanLexicon(const std::string& version, std::string_view lexicon,
                           const std::function<void(std::string_view record)>& fn) override;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_DIR_STORE_H_
