#ifndef NIGHTJAR_STORE_VALIDATION_H_
#define NIGHTJAR_STORE_VALIDATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lexicon/records.h"
#include "store/lexicon_store.h"
#include "store/manifest.h"

namespace nightjar {

// The gates a new version must pass before it may become active. Every gate is on by default;
// docs/lexicons.md lists the TOML keys ([validation]).
struct ValidationOptions {
  bool schema = true;                // records parse and carry their lexicon's fields and types
  bool score_range = true;           // every score and confidence is in [0, 1]
  bool clean_terms = true;           // no empty term, none with a control character
  bool no_self_variants = true;      // no word lists itself as a variant; no x -> x correction
  bool no_correction_cycles = true;  // following corrections never comes back to a term
  bool bounded_variants = true;      // at most max_variants_per_word variants per word
  int max_variants_per_word = 16;
  bool size_band = true;                  // each lexicon's size is within the band of the active's
  double max_size_change = 0.5;           // allowed: active * (1 - x) .. active * (1 + x)
  uint64_t size_band_min_records = 100;   // lexicons smaller than this in the active are exempt
  bool canaries = true;                   // each canary word is in the spelling vocabulary
  std::vector<std::string> canary_words;  // folded words; empty passes
  bool top_overlap = true;  // share of the active's top words still in the new top words
  int top_k = 1000;         // how many top words (by frequency) the manifest records
  double min_top_overlap = 0.6;
};

// One gate's outcome.
struct GateResult {
  std::string name;  // "schema", "score_range", ...
  bool enabled = true;
  bool passed = true;
  uint64_t failures = 0;  // offending records (or lexicons, words)
  std::string detail;     // the first offence, or what was compared
};

struct ValidationReport {
  std::vector<GateResult> gates;
  bool passed() const;
  // "gate: detail" of the first failed gate; "" when all passed.
  std::string FirstFailure() const;
  // {"passed":..,"gates":[{"name":..,"enabled":..,"passed":..,"failures":..,"detail":..}]}
  std::string Json() const;
};

// Checks a version's records as they are written, then the version as a whole. Not thread-safe.
class VersionValidator {
 public:
  explicit VersionValidator(ValidationOptions options);
  const ValidationOptions& options() const { return options_; }

  // Record-level gates: call with every record published.
  void Observe(std::string_view lexicon, std::string_view record);

  // Adds what `other` (with the same options) observed: its record-level gate failures, links,
  // top words and canaries, so that records can be observed on several threads, a validator
  // each. For a variant both saw, this validator's word is kept.
  void Absorb(const VersionValidator& other);

  // Version-level gates. `active`: the current version's manifest, or nullptr when there is
  // none (the comparisons then pass, saying so).
  ValidationReport Finish(const std::vector<LexiconFileInfo>& files, const Manifest* active);

  // The top_k spelling words by frequency seen by Observe, most frequent first; the manifest
  // records them for the next version's overlap gate.
  std::vector<std::string> TopWords() const;

 private:
  GateResult& Gate(std::string_view name);
  // The cross-record gates' part of Observe: variants, corrections, canaries, top words.
  void ObserveLinks(const SpellingRecord& r);
  void ObserveLinks(const CorrectionRecord& r);
  template <typename Record>
  void ObserveLinks(const Record&) {}
  void ObserveTop(uint64_t frequency, std::string_view word);
  void Fail(std::string_view gate, std::string_view lexicon, std::string_view what);
  // The version-level gates Finish runs, each when enabled.
  void CheckCorrectionCycles();
  void CheckCanaries();
  void CheckSizeBand(const std::vector<LexiconFileInfo>& files, const Manifest* active);
  void CheckTopOverlap(const Manifest* active);

  ValidationOptions options_;
  std::vector<GateResult> gates_;
  absl::flat_hash_map<std::string, std::string> corrections_;  // variant -> word
  std::vector<std::pair<uint64_t, std::string>> top_;          // min-heap of (frequency, word)
  absl::flat_hash_map<std::string, bool> canaries_seen_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_VALIDATION_H_
