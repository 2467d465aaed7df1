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

namespace nightjar {

// The lexicons a version holds, by the name used in files, keys and `export --lexicon`.
inline constexpr std::string_view kSpellingLexicon = "spelling";
inline constexpr std::string_view kNgramsLexicon = "ngrams";
inline constexpr std::string_view kRelatedLexicon = "related";
inline constexpr std::string_view kExpansionsLexicon = "expansions";
// Supporting lexicons the four above are built from, published beside them.
inline constexpr std::string_view kCorrectionsLexicon = "corrections";
inline constexpr std::string_view kPhrasesLexicon = "phrases";
inline constexpr std::string_view kAcronymsLexicon = "acronyms";
// Every lexicon a version holds.
inline constexpr std::string_view kAllLexicons[] = {
    kSpellingLexicon, kCorrectionsLexicon, kRelatedLexicon, kExpansionsLexicon,
    kNgramsLexicon,   kPhrasesLexicon,     kAcronymsLexicon};

// One sealed lexicon of a version being built.
struct LexiconFileInfo {
  std::string name;      // "spelling", "ngrams", ...
  uint64_t records = 0;  // record lines, header excluded
  uint64_t bytes = 0;    // file bytes, header included
  std::string checksum;  // "xxh3:<16 hex>" over the whole file
};

// Writes one new version. Not thread-safe. Destroying it before Publish() discards everything
// it wrote: a failed run publishes nothing and leaves the current version as it was.
class VersionBuilder {
 public:
  virtual ~VersionBuilder() = default;
  virtual const std::string& version() const = 0;
  // Appends one JSON record (no newline) to `lexicon`, creating the lexicon on first use.
  [[nodiscard]] virtual absl::Status Append(std::string_view lexicon, std::string_view record) = 0;
  // Makes every lexicon durable and returns what was written, in name order. No Append after.
  [[nodiscard]] virtual absl::StatusOr<std::vector<LexiconFileInfo>> Seal() = 0;
  // Writes `manifest_json`, makes the version visible and switches the current pointer to it
  // atomically. Requires Seal().
  [[nodiscard]] virtual absl::Status Publish(std::string_view manifest_json) = 0;
};

// A versioned lexicon store: "dir:PATH" (a bare path means dir:). Thread-compatible.
class LexiconStore {
 public:
  virtual ~LexiconStore() = default;

  // Starts a new version named for `now` (UTC): v1.YYYYMMDD, then v1.YYYYMMDD.2, .3, ... for
  // later runs that day. Concurrent builders on one store are serialized.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<VersionBuilder>> Begin(absl::Time now) = 0;
  // The current version; nullopt when nothing was ever published.
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> Current() = 0;
  // Published versions, oldest first.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> List() = 0;
  // The manifest of a published version, checked for its magic and format version.
  [[nodiscard]] virtual absl::StatusOr<std::string> ReadManifest(const std::string& version) = 0;
  // Calls fn with each record of `lexicon` in `version`, in file order, after checking the file
  // header; verifies the checksum from the manifest at the end (DataLoss on mismatch).
  // NotFound when the version or lexicon does not exist.
  [[nodiscard]] virtual absl::Status ScanLexicon(
      const std::string& version, std::string_view lexicon,
      const std::function<void(std::string_view record)>& fn) = 0;

  // Opens the store a URI names. InvalidArgument naming the URI when it is malformed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LexiconStore>> Open(const std::string& uri);
};

// The name for the next version on the day of `now`, given the versions that exist.
std::string NextVersionName(absl::Time now, const std::vector<std::string>& existing);

// True when `name` is a well-formed version name (v1.YYYYMMDD or v1.YYYYMMDD.N, N >= 2).
bool IsVersionName(std::string_view name);

// `version` when non-empty, else the store's current version; NotFound when there is none.
[[nodiscard]] absl::StatusOr<std::string> ResolveVersion(LexiconStore& store,
                                                         const std::string& version,
                                                         std::string_view store_uri);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_LEXICON_STORE_H_
