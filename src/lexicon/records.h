#ifndef NIGHTJAR_LEXICON_RECORDS_H_
#define NIGHTJAR_LEXICON_RECORDS_H_

// The published record of each lexicon: one JSON object per record, written only by the
// record's ToJson and read only by its Parse. Fields are written in the order declared; readers
// ignore fields they do not know, so a later build may add some. Scores are written rounded to
// four decimals.
//
// Views: the string_view fields of a record to be written view the caller's strings; those of a
// parsed record view the calling thread's parser and stay valid only until that thread's next
// Parse. Copy what must outlive it. Parse is thread-safe (one parser per thread).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

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
// {"word","frequency"} of every spelling word, most frequent first: what a lookup snapshot
// loads. A bulk lexicon: read whole, never by key (stores may pack its records).
inline constexpr std::string_view kVocabularyLexicon = "vocabulary";
// {"word","next":[[word, count], ..]}: adjacent word pairs a lookup weighs its candidates by
// (correction in context). A bulk lexicon too.
inline constexpr std::string_view kBigramsLexicon = "bigrams";
// {"edit","cost","count","version"}: the channel model lookups correct by, learned from the
// confident variants (text/error_model.h).
inline constexpr std::string_view kErrorModelLexicon = "error_model";
// Every lexicon a version holds.
inline constexpr std::string_view kAllLexicons[] = {
    kSpellingLexicon, kCorrectionsLexicon, kRelatedLexicon,  kExpansionsLexicon,
    kNgramsLexicon,   kPhrasesLexicon,     kAcronymsLexicon, kVocabularyLexicon,
    kBigramsLexicon,  kErrorModelLexicon};

// Schema rules beyond types, checked by the validation gates: a term is non-empty and free of
// C0/C1 control characters and DEL (clean_terms); a score is finite and within [0, 1]
// (score_range).
bool IsCleanTerm(std::string_view term);
bool IsUnitScore(double score);

struct ScoredTerm {
  std::string_view term;
  double score = 0;
  // An expansion's kind ("acronym", "inflection", "phrase", "synonym"; IsExpansionKind); empty
  // for related terms, and in versions published before kinds (read as such).
  std::string_view kind;
};

// True for the kinds an expansion may have.
bool IsExpansionKind(std::string_view kind);

// The callbacks every record has: ForEachTerm(fn(std::string_view)) for its terms, and
// ForEachScore(fn(std::string_view field, double)) for its scores.

// spelling: {"word","frequency","doc_frequency","variants":[..],"version"}
struct SpellingRecord {
  static constexpr std::string_view kLexicon = kSpellingLexicon;
  std::string_view word;
  uint64_t frequency = 0;
  uint64_t doc_frequency = 0;
  std::vector<std::string_view> variants;  // misspellings, best first
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<SpellingRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(word);
    for (std::string_view v : variants) fn(v);
  }
  template <typename Fn>
  void ForEachScore(Fn&&) const {}
};

// vocabulary: {"word","frequency"}
struct VocabularyRecord {
  static constexpr std::string_view kLexicon = kVocabularyLexicon;
  std::string_view word;
  uint64_t frequency = 0;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<VocabularyRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(word);
  }
  template <typename Fn>
  void ForEachScore(Fn&&) const {}
};

// bigrams: {"word","next":[[word, count], ..]}: how often each word follows `word` within a
// clause (the pairs of one first word in one record: a sixth of the bytes of a record a pair)
struct BigramRecord {
  static constexpr std::string_view kLexicon = kBigramsLexicon;
  std::string_view word;
  std::vector<std::pair<std::string_view, uint64_t>> next;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<BigramRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(word);
    for (const auto& [w, n] : next) fn(w);
  }
  template <typename Fn>
  void ForEachScore(Fn&&) const {}
};

// error_model: {"edit","cost","count","version"}
struct ErrorModelRecord {
  static constexpr std::string_view kLexicon = kErrorModelLexicon;
  std::string_view edit;  // an EditClassName
  double cost = 0;        // in units of an ordinary substitution, [0.25, 1.5]
  uint64_t count = 0;     // confident variants of that edit it was learned from
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<ErrorModelRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(edit);
  }
  template <typename Fn>
  void ForEachScore(Fn&&) const {}
};

// corrections: {"variant","word","score","version"}
struct CorrectionRecord {
  static constexpr std::string_view kLexicon = kCorrectionsLexicon;
  std::string_view variant;
  std::string_view word;
  double score = 0;
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<CorrectionRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(variant);
    fn(word);
  }
  template <typename Fn>
  void ForEachScore(Fn&& fn) const {
    fn("score", score);
  }
};

// related: {"word","related_terms":[{"term","score"}..],"version","last_updated"}
struct RelatedRecord {
  static constexpr std::string_view kLexicon = kRelatedLexicon;
  std::string_view word;
  std::vector<ScoredTerm> related_terms;  // best first
  std::string_view version;
  std::string_view last_updated;  // RFC 3339, UTC
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<RelatedRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(word);
    for (const ScoredTerm& t : related_terms) fn(t.term);
  }
  template <typename Fn>
  void ForEachScore(Fn&& fn) const {
    for (const ScoredTerm& t : related_terms) fn(t.term, t.score);
  }
};

// expansions: {"term","expansions":[{"term","score","kind"}..],"max_expansions","version"}
struct ExpansionRecord {
  static constexpr std::string_view kLexicon = kExpansionsLexicon;
  std::string_view term;
  std::vector<ScoredTerm> expansions;  // best first
  uint64_t max_expansions = 0;
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<ExpansionRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(term);
    for (const ScoredTerm& t : expansions) fn(t.term);
  }
  template <typename Fn>
  void ForEachScore(Fn&& fn) const {
    for (const ScoredTerm& t : expansions) fn(t.term, t.score);
  }
};

// phrases: {"phrase","words","count","score","version"}
struct PhraseRecord {
  static constexpr std::string_view kLexicon = kPhrasesLexicon;
  std::string_view phrase;
  uint64_t words = 0;  // words in the phrase
  uint64_t count = 0;
  double score = 0;  // NPMI
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<PhraseRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(phrase);
  }
  template <typename Fn>
  void ForEachScore(Fn&& fn) const {
    fn("score", score);
  }
};

// acronyms: {"short_form","long_form","count","confidence","version"}
struct AcronymRecord {
  static constexpr std::string_view kLexicon = kAcronymsLexicon;
  std::string_view short_form;
  std::string_view long_form;
  uint64_t count = 0;
  double confidence = 0;
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<AcronymRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(short_form);
    fn(long_form);
  }
  template <typename Fn>
  void ForEachScore(Fn&& fn) const {
    fn("confidence", confidence);
  }
};

// ngrams: {"ngram","n","frequency","term_count","version"}
struct NgramRecord {
  static constexpr std::string_view kLexicon = kNgramsLexicon;
  std::string_view ngram;
  uint64_t n = 0;  // characters, boundary markers included
  uint64_t frequency = 0;
  uint64_t term_count = 0;
  std::string_view version;
  std::string ToJson() const;
  [[nodiscard]] static absl::StatusOr<NgramRecord> Parse(std::string_view json);
  template <typename Fn>
  void ForEachTerm(Fn&& fn) const {
    fn(ngram);
  }
  template <typename Fn>
  void ForEachScore(Fn&&) const {}
};

// A record of any lexicon; std::monostate for a JSON object of a lexicon this build does not
// know (nothing more can be checked of it).
using AnyRecord = std::variant<std::monostate, SpellingRecord, VocabularyRecord, CorrectionRecord,
                               RelatedRecord, ExpansionRecord, PhraseRecord, AcronymRecord,
                               NgramRecord, BigramRecord, ErrorModelRecord>;

// Parses a record of `lexicon` with that lexicon's Parse. Errors (InvalidArgument) name what is
// wrong: "not a JSON object", "missing \"frequency\"", "\"frequency\" has the wrong type".
[[nodiscard]] absl::StatusOr<AnyRecord> ParseRecord(std::string_view lexicon,
                                                    std::string_view json);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_RECORDS_H_
