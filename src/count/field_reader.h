#ifndef NIGHTJAR_COUNT_FIELD_READER_H_
#define NIGHTJAR_COUNT_FIELD_READER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "count/count_table.h"
#include "count/vocabulary.h"
#include "text/tokenizer.h"

namespace nightjar {

// True when the bytes between two tokens end a clause (sentence punctuation, brackets, quotes,
// line breaks): phrases and bigrams never span one.
bool IsClauseGap(std::string_view gap);

// Whether `tok` was written with a capital first letter: an ASCII capital, or a first character
// (its first two bytes) that case folding changed.
bool StartsWithCapital(const Token& tok);

// Appends the flags the later passes keep per token: whether a clause break lies between
// *prev_end and `tok` (then moves *prev_end past it; start it at the field's first byte), and
// whether `tok` starts with a capital.
inline void AppendTokenFlags(const Token& tok, const char** prev_end, std::vector<uint8_t>* breaks,
                             std::vector<uint8_t>* capitals) {
  breaks->push_back(IsClauseGap(
      std::string_view(*prev_end, static_cast<size_t>(tok.surface.data() - *prev_end))));
  *prev_end = tok.surface.data() + tok.surface.size();
  capitals->push_back(StartsWithCapital(tok));
}

// A text field as the later passes see it: one vocabulary id per token (Vocabulary::kNone for
// terms without one), per token whether a clause break precedes it, and whether it was written
// with a capital first letter (an ASCII capital, or a first character that case folding changes).
struct FieldIds {
  std::vector<uint32_t> ids;
  std::vector<uint8_t> breaks;
  std::vector<uint8_t> capitals;
};

// Tokenizes fields into FieldIds, probing the vocabulary a few tokens ahead of resolving each
// id so that the table's cache misses overlap. Not thread-safe: one per thread; `vocab` must
// outlive it.
class FieldReader {
 public:
  FieldReader(const TokenizerOptions& options, const Vocabulary& vocab)
      : tokenizer_(options), vocab_(vocab) {}
  // Replaces *out with `field`'s ids and breaks.
  void Read(std::string_view field, FieldIds* out);

 private:
  static constexpr size_t kAhead = 8;  // tokens probed ahead of resolution
  struct Pending {
    size_t index;  // into FieldIds::ids
    CountTable::Key key;
  };
  Tokenizer tokenizer_;
  const Vocabulary& vocab_;
  Pending pending_[kAhead];
};

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_FIELD_READER_H_
