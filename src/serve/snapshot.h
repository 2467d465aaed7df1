#ifndef NIGHTJAR_SERVE_SNAPSHOT_H_
#define NIGHTJAR_SERVE_SNAPSHOT_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "lexicon/corrector.h"
#include "store/lexicon_store.h"
#include "text/tokenizer.h"

namespace nightjar {

// A related term or an expansion as served: kind is an expansion's ("acronym", ...), or empty.
struct ScoredItem {
  std::string term;
  double score = 0;
  std::string kind;
};
using ScoredList = std::vector<ScoredItem>;

// One query, corrected token by token.
struct CorrectedQuery {
  std::vector<std::string> tokens;            // folded tokens of the query
  std::vector<SpellCorrector::Result> fixes;  // one per token
  std::string corrected;                      // the corrections joined by spaces
  // Every corrected token, and every run of 2 or 3 the snapshot knows as a term (a phrase).
  std::vector<std::string> terms;
};

// An immutable, fully loaded version of the lexicons: what queries read. Thread-safe; shared by
// every request that started on it, freed when the last one finishes.
class Snapshot {
 public:
  // Reads `version`'s spelling, corrections, expansions and related lexicons (checksums
  // verified) and builds the corrector. The tokenizer follows the version's manifest settings.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Snapshot>> Load(
      LexiconStore& store, const std::string& version, const CorrectorOptions& options = {});

  const std::string& version() const { return version_; }
  size_t words() const { return words_; }

  CorrectedQuery Correct(std::string_view query) const;
  // The expansions / related terms of a term (folded word or phrase); null when none.
  const ScoredList* Expand(std::string_view term) const;
  const ScoredList* Related(std::string_view term) const;

  // {"version","query","corrected","tokens":[{"token","correction","score","how"}],
  //  "terms":[{"term","expansions":[..],"related_terms":[..]}]}: `nightjar lookup --json`.
  std::string LookupJson(std::string_view query) const;
  // Human-readable form of the same answer.
  std::string LookupText(std::string_view query) const;

 private:
  Snapshot(std::string version, Tokenizer tokenizer, std::unique_ptr<SpellCorrector> corrector,
           absl::flat_hash_map<std::string, ScoredList> expansions,
           absl::flat_hash_map<std::string, ScoredList> related, size_t words);

  std::string version_;
  Tokenizer tokenizer_;
  std::unique_ptr<SpellCorrector> corrector_;
  absl::flat_hash_map<std::string, ScoredList> expansions_;
  absl::flat_hash_map<std::string, ScoredList> related_;
  size_t words_ = 0;
};

class JsonWriter;
// Appends [{"term":..,"score":..}, ...] (empty when null).
void WriteScoredList(JsonWriter& w, const ScoredList* list);

}  // namespace nightjar

#endif  // NIGHTJAR_SERVE_SNAPSHOT_H_
