#ifndef NIGHTJAR_STORE_MANIFEST_H_
#define NIGHTJAR_STORE_MANIFEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "store/lexicon_store.h"
#include "text/tokenizer.h"

namespace nightjar {

class JsonWriter;

// The manifest's format markers, checked on every read. Bump the version when the layout
// changes incompatibly.
inline constexpr std::string_view kManifestMagic = "nightjar-manifest";
inline constexpr int kManifestFormatVersion = 1;

// What the corpus of a run held.
struct ManifestCorpus {
  std::string uri;                   // the corpus URI, credentials redacted
  uint64_t documents = 0;            // live documents counted
  uint64_t deleted = 0;              // tombstones seen
  uint64_t truncated = 0;            // documents cut to the size cap
  uint64_t tokens = 0;               // tokens counted
  uint64_t text_bytes = 0;           // bytes of text fields tokenized
  uint64_t input_bytes = 0;          // input bytes read (compressed bytes for compressed files)
  uint64_t distinct_terms = 0;       // distinct folded terms
  uint64_t long_tokens_skipped = 0;  // tokens over max_token_bytes
};

// The records a run rejected.
struct ManifestRejects {
  uint64_t total = 0;
  std::vector<std::pair<std::string, uint64_t>> by_reason;  // reason name -> count, nonzero only
  std::string file;                                         // quarantine file; "" when none
  // Input files that could not be read to their end (corpus.on_damaged_file = skip).
  std::vector<std::string> damaged_files;
};

// A version's manifest: what it holds and how it was made. Immutable once committed. The one
// owner of the manifest's JSON: every writer and reader goes through ToJson and Parse.
struct Manifest {
  std::string version;
  std::string created_at;    // RFC 3339 UTC
  std::string committed_at;  // RFC 3339 UTC
  ManifestCorpus corpus;
  ManifestRejects rejects;
  std::vector<LexiconFileInfo> lexicons;  // in name order
  std::string validation_json = "{}";     // ValidationReport::Json(), kept as written
  // What an incremental run changed in its state (the summary's "incremental" object), kept as
  // written; "null" for a stateless run.
  std::string incremental_json = "null";
  std::string compared_with;           // the version the gates compared with; "" when none
  bool forced = false;                 // activated although a gate failed
  std::vector<std::string> top_words;  // for the next version's overlap gate
  TokenizerOptions text;               // settings.text: how readers must tokenize queries
  // The other settings sections (name -> a JSON object), kept as written, in order.
  std::vector<std::pair<std::string, std::string>> settings;

  // The lexicon named `name`, or nullptr.
  const LexiconFileInfo* Lexicon(std::string_view name) const;

  // Compact JSON beginning {"format":"nightjar-manifest","format_version":1,...}.
  std::string ToJson() const;
  // Parses ToJson's output. DataLoss naming `what` when the text is not a manifest or lacks a
  // required field; FailedPrecondition for another format version. Missing optional fields
  // (settings, top_words, ...) keep their defaults, so older manifests still load.
  [[nodiscard]] static absl::StatusOr<Manifest> Parse(std::string_view json, std::string_view what);
};

// The manifest's "corpus" and "rejects" objects, for summaries that report them in the same form.
void WriteCorpusJson(JsonWriter& w, const ManifestCorpus& c);
void WriteRejectsJson(JsonWriter& w, const ManifestRejects& r);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_MANIFEST_H_
