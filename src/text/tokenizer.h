#ifndef NIGHTJAR_TEXT_TOKENIZER_H_
#define NIGHTJAR_TEXT_TOKENIZER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nightjar {

// What counts as a token. Every field has a default; see docs/configuration.md.
struct TokenizerOptions {
  bool digits = true;            // digits are word characters ("mp3", "covid19")
  bool numbers = false;          // keep tokens made only of digits ("2024")
  bool inner_apostrophe = true;  // "don't" stays one token; edge apostrophes never join
  bool inner_hyphen = false;     // "e-mail" stays one token instead of "e", "mail"
  size_t max_token_bytes = 64;   // tokens longer than this (folded UTF-8) are skipped and counted
};

// One token. Both views are valid only during the callback that receives them.
struct Token {
  std::string_view folded;   // NFKC + case folded; apostrophe and hyphen variants unified
  std::string_view surface;  // the exact input bytes, for miners that need case (acronyms)
  size_t readable = 0;       // bytes that may be read at folded.data(), >= folded.size()
};

// Splits UTF-8 text into word tokens with an ASCII fast path and full Unicode handling:
// letters (L*), marks inside words (M*), digits (N*) form words; Han ideographs are single
// tokens; invalid UTF-8 and control bytes are separators. Never reads past `text`, never loops.
// Not thread-safe (holds a scratch buffer); use one per thread.
class Tokenizer {
 public:
  explicit Tokenizer(const TokenizerOptions& options = {});

  // Calls fn(const Token&) for each token of `text`, in order. Pure-ASCII words are scanned by a
  // table-driven fast path (a lowercase word's folded form is a view of the input); a word that
  // meets a non-ASCII byte is re-read by the general scanner.
  template <typename Fn>
  void Tokenize(std::string_view text, Fn&& fn);

  // The same tokens as Tokenize, from the general scanner alone: the reference the fast path is
  // tested against.
  template <typename Fn>
  void TokenizeReference(std::string_view text, Fn&& fn);

  // Tokens skipped for exceeding max_token_bytes since construction.
  uint64_t long_tokens_skipped() const { return long_skipped_; }
  const TokenizerOptions& options() const { return options_; }

 private:
  // Byte classes, as bits: a word byte is kLower|kUpper|kDigit (kDigit only when digits count);
  // kJoin marks an apostrophe or hyphen that the options let join two words; kHigh is any byte
  // >= 0x80. Everything else is 0, a separator.
  enum : uint8_t { kLower = 1, kUpper = 2, kDigit = 4, kJoin = 8, kHigh = 16 };
  static constexpr uint8_t kWord = kLower | kUpper | kDigit;
  // A decoded non-ASCII character's role.
  enum class Wide : uint8_t { kSep, kLetter, kDigit, kMark, kApos, kHyphen, kJoiner, kIdeograph };
  struct Decoded {
    Wide role;
    uint8_t len;  // bytes consumed, >= 1
  };

  // Bit i of each mask describes byte i of a kBlock-byte block.
  static constexpr int kBlock = 16;
  static constexpr uint32_t kBlockMask = 0xFFFF;
  struct BlockClasses {
    uint32_t word;    // word bytes (letters, and digits when they count)
    uint32_t letter;  // ASCII letters
    uint32_t upper;   // ASCII capitals
    uint32_t starts;  // word bytes and non-ASCII bytes: where separator skipping stops
  };
  // Classifies the kBlock bytes at p (all readable), with SSE2 where available.
  BlockClasses Classify(const unsigned char* p) const;

  static Decoded DecodeWide(const unsigned char* p, size_t avail);
  // True when the character at p (any byte) is a word character (letter, digit, mark).
  bool IsWordAt(const unsigned char* p, const unsigned char* end) const;
  // Computes the folded form of a token with non-ASCII bytes into scratch_.
  std::string_view FoldWide(std::string_view surface);
  // One step of the general scanner at p < end: skips one separator character or reads one
  // token. Returns the position after what it consumed; sets *token and *emitted when a token
  // is to be emitted (its views are valid until the next call).
  const unsigned char* Step(const unsigned char* p, const unsigned char* end, Token* token,
                            bool* emitted);

  TokenizerOptions options_;
  std::array<uint8_t, 256> class_;
  char fold_buf_[256 + 16];  // folded ASCII tokens (max_token_bytes <= 256), and slack
  std::string scratch_;
  uint64_t long_skipped_ = 0;
};

inline Tokenizer::BlockClasses Tokenizer::Classify(const unsigned char* p) const {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Bytes in [lo, hi]: (v - lo) <= hi - lo, unsigned, with wrap-around.
  auto in_range = [&v](char lo, char hi) {
    const __m128i x = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(static_cast<char>(hi - lo))), x);
  };
  auto bits = [](__m128i m) { return static_cast<uint32_t>(_mm_movemask_epi8(m)); };
  const __m128i upper = in_range('A', 'Z');
  __m128i word = _mm_or_si128(in_range('a', 'z'), upper);
  const uint32_t letter = bits(word);
  if (options_.digits) word = _mm_or_si128(word, in_range('0', '9'));
  const uint32_t w = bits(word);
  return BlockClasses{w, letter, bits(upper), w | bits(v)};
#else
  BlockClasses c{0, 0, 0, 0};
  for (int i = 0; i < kBlock; ++i) {
    const uint8_t cls = class_[p[i]];
    c.word |= static_cast<uint32_t>((cls & kWord) != 0) << i;
    c.letter |= static_cast<uint32_t>((cls & (kLower | kUpper)) != 0) << i;
    c.upper |= static_cast<uint32_t>((cls & kUpper) != 0) << i;
    c.starts |= static_cast<uint32_t>((cls & (kWord | kHigh)) != 0) << i;
  }
  return c;
#endif
}

template <typename Fn>
void Tokenizer::TokenizeReference(std::string_view text, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  Token token;
  bool emitted = false;
  while (p < end) {
    p = Step(p, end, &token, &emitted);
    if (emitted) fn(token);
  }
}

template <typename Fn>
void Tokenizer::Tokenize(std::string_view text, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  const size_t max_bytes = options_.max_token_bytes;
  Token token;
  bool emitted = false;
  while (p < end) {
    // Skip separators up to a word byte or a non-ASCII byte.
    if (end - p >= kBlock) {
      const uint32_t starts = Classify(p).starts;
      if (starts == 0) {
        p += kBlock;
        continue;
      }
      p += __builtin_ctz(starts);
    } else if ((class_[*p] & (kWord | kHigh)) == 0) {
      ++p;
      continue;
    }
    if (class_[*p] & kHigh) {
      p = Step(p, end, &token, &emitted);
      if (emitted) fn(token);
      continue;
    }
    // A word starts at p: find its end a block at a time.
    const unsigned char* const start = p;
    bool has_letter = false, has_upper = false, general = false;
    for (;;) {
      if (end - p >= kBlock) {
        const BlockClasses c = Classify(p);
        const uint32_t stop = ~c.word & kBlockMask;
        const int k = stop == 0 ? kBlock : __builtin_ctz(stop);
        const uint32_t in_word = stop == 0 ? kBlockMask : (uint32_t{1} << k) - 1;
        has_letter |= (c.letter & in_word) != 0;
        has_upper |= (c.upper & in_word) != 0;
        p += k;
        if (k == kBlock) continue;
      } else {
        while (p < end && (class_[*p] & kWord)) {
          has_letter |= (class_[*p] & (kLower | kUpper)) != 0;
          has_upper |= (class_[*p] & kUpper) != 0;
          ++p;
        }
        if (p == end) break;
      }
      const uint8_t cls = class_[*p];
      if ((cls & kJoin) && p + 1 < end) {
        const uint8_t next = class_[p[1]];
        if (next & kWord) {  // an inner apostrophe or hyphen
          ++p;
          continue;
        }
        general = (next & kHigh) != 0;
        break;
      }
      general = (cls & kHigh) != 0;
      break;
    }
    if (general) {  // the word goes on past ASCII: the general scanner re-reads it
      p = Step(start, end, &token, &emitted);
      if (emitted) fn(token);
      continue;
    }
    if (!has_letter && !options_.numbers) continue;
    const auto len = static_cast<size_t>(p - start);
    if (len > max_bytes) {
      ++long_skipped_;
      continue;
    }
    const char* s = reinterpret_cast<const char*>(start);
    token.surface = std::string_view(s, len);
    if (has_upper) {
      token.readable = sizeof(fold_buf_);
      for (size_t i = 0; i < len; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        fold_buf_[i] = static_cast<char>(c | (static_cast<unsigned>(c - 'A') < 26u ? 0x20 : 0));
      }
      token.folded = std::string_view(fold_buf_, len);
    } else {
      token.folded = token.surface;
      token.readable = static_cast<size_t>(end - start);
    }
    fn(token);
  }
}

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_TOKENIZER_H_
