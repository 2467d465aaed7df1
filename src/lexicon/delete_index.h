#ifndef NIGHTJAR_LEXICON_DELETE_INDEX_H_
#define NIGHTJAR_LEXICON_DELETE_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/zeroed_pages.h"

namespace nightjar {

// SymSpell's symmetric-delete candidate index (Garbe 2012): every word is filed under each string
// reachable from it by up to max_distance character deletions; a query's own deletes then meet
// every word within that Damerau–Levenshtein distance, without comparing all pairs. Lookups
// verify the true (optimal string alignment) distance. Works on code points. Short words can be
// held to distance 1 (a two-edit neighbour of a four-letter word is mostly another word); they
// are then filed under their single deletes only, which keeps the index and every lookup's
// candidate list smaller. Immutable once built; thread-safe to query.
class DeleteIndex {
 public:
  // Words longer than max_chars characters are not indexed.
  static constexpr int kMaxChars = 32;

  // words[i] is word id i; views must outlive the index. `threads` build it. Words of at most
  // `short_word_chars` characters match only within distance 1 (0 = no such limit).
  DeleteIndex(std::vector<std::string_view> words, int max_distance, int threads = 1,
              int short_word_chars = 0);

  struct Match {
    uint32_t id;
    int distance;
  };
  // Words within `max_distance` (<= the index's, and <= 1 for short words) of `term`, the term
  // itself excluded, each once,
  // in id order. Only ids below `id_limit` are considered (when words are filed by frequency
  // rank, a frequency floor), which spares the distance checks of the others; words whose first
  // character differs from the term's match only within `first_differs_distance`.
  std::vector<Match> Lookup(std::string_view term, int max_distance, uint32_t id_limit = UINT32_MAX,
                            int first_differs_distance = INT32_MAX) const;

  std::string_view word(uint32_t id) const { return words_[id]; }
  // Word `id` as code points.
  std::u32string_view decoded(uint32_t id) const {
    return {chars_.data() + info_[id].start, info_[id].size};
  }
  size_t size() const { return words_.size(); }
  int max_distance() const { return max_distance_; }
  // The largest distance at which word `id` matches.
  int max_distance(uint32_t id) const { return info_[id].limit; }

 private:
  std::vector<std::string_view> words_;
  // Every word's code points, back to back; word i is chars_[info_[i].start, + info_[i].size). One
  // array rather than a string apiece: a lookup checks a few dozen candidates, and each used to
  // cost two cache misses (the string, then its heap buffer).
  std::vector<char32_t> chars_;
  // What a lookup checks of a candidate before reading its characters, in one cache line.
  struct Info {
    uint32_t start;  // into chars_
    uint32_t size;   // code points
    char32_t first;  // the first code point (0 for an empty word)
    uint32_t limit;  // max_distance_, or 1 for a short word
  };
  std::vector<Info> info_;
  int max_distance_;
  // Sorted entries: a delete's hash with its low id_bits_ replaced by the word id. Truncating
  // the hash can only add candidates, which Lookup's distance check drops.
  ZeroedPages entries_mem_;
  uint64_t* entries_ = nullptr;  // in entries_mem_
  size_t size_ = 0;
  int id_bits_ = 1;
  // bucket_[b] is the first entry whose top bucket_bits_ bits are >= b (b <= 2^bucket_bits_):
  // a lookup reads one bucket of a few entries instead of binary-searching all of them. Empty
  // when there are too many entries for 32-bit offsets.
  std::vector<uint32_t> bucket_;
  int bucket_bits_ = 1;
  // One bit per value of a hash's top filter_bits_ bits, set when some entry has them (about
  // eight bits an entry: a tenth of the unused values read as set). Most of a lookup's deletes
  // match no word; this bitmap, unlike the entries, stays in cache, so those probes cost no
  // cache misses in the directory and entries.
  std::vector<uint64_t> filter_;
  int filter_bits_ = 6;
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_DELETE_INDEX_H_
