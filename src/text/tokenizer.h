#ifndef NIGHTJAR_TEXT_TOKENIZER_H_
#define NIGHTJAR_TEXT_TOKENIZER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
};

// Splits UTF-8 text into word tokens with an ASCII fast path and full Unicode handling:
// letters (L*), marks inside words (M*), digits (N*) form words; Han ideographs are single
// tokens; invalid UTF-8 and control bytes are separators. Never reads past `text`, never loops.
// Not thread-safe (holds a scratch buffer); use one per thread.
class Tokenizer {
 public:
  explicit Tokenizer(const TokenizerOptions& options = {});

  // Calls fn(const Token&) for each token of `text`, in order.
  template <typename Fn>
  void Tokenize(std::string_view text, Fn&& fn);

  // Tokens skipped for exceeding max_token_bytes since construction.
  uint64_t long_tokens_skipped() const { return long_skipped_; }
  const TokenizerOptions& options() const { return options_; }

 private:
  enum : uint8_t { kSep = 0, kLetter = 1, kDigit = 2, kApos = 3, kHyphen = 4, kHigh = 5 };
  // A decoded non-ASCII character's role.
  enum class Wide : uint8_t { kSep, kLetter, kDigit, kMark, kApos, kHyphen, kJoiner, kIdeograph };
  struct Decoded {
    Wide role;
    uint8_t len;  // bytes consumed, >= 1
  };

  static Decoded DecodeWide(const unsigned char* p, size_t avail);
  // True when the character at p (any byte) is a word character (letter, digit, mark).
  bool IsWordAt(const unsigned char* p, const unsigned char* end) const;
  // Computes the folded form of a token with non-ASCII bytes into scratch_.
  std::string_view FoldWide(std::string_view surface);

  TokenizerOptions options_;
  std::array<uint8_t, 128> ascii_class_;
  std::string scratch_;
  uint64_t long_skipped_ = 0;
};

template <typename Fn>
void Tokenizer::Tokenize(std::string_view text, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  const size_t max_bytes = options_.max_token_bytes;
  char ascii_buf[256];
  const size_t buf_cap = max_bytes < sizeof(ascii_buf) ? max_bytes : sizeof(ascii_buf);

  while (p < end) {
    // Skip separators quickly; stop at a word start.
    if (*p < 0x80) {
      uint8_t cls = ascii_class_[*p];
      if (cls != kLetter && cls != kDigit) {
        ++p;
        continue;
      }
    } else {
      Decoded d = DecodeWide(p, static_cast<size_t>(end - p));
      if (d.role == Wide::kIdeograph) {
        std::string_view surface(reinterpret_cast<const char*>(p), d.len);
        std::string_view folded = FoldWide(surface);
        if (!folded.empty()) fn(Token{folded, surface});
        p += d.len;
        continue;
      }
      if (d.role != Wide::kLetter && (d.role != Wide::kDigit || !options_.digits)) {
        p += d.len;
        continue;
      }
    }

    const unsigned char* start = p;
    bool wide = false;
    bool has_letter = false;
    size_t n = 0;  // bytes written to ascii_buf while the token is pure ASCII
    while (p < end) {
      unsigned char c = *p;
      if (c < 0x80) {
        uint8_t cls = ascii_class_[c];
        if (cls == kLetter || cls == kDigit) {
          has_letter |= (cls == kLetter);
          if (n < buf_cap)
            ascii_buf[n] = static_cast<char>(c | (static_cast<unsigned>(c - 'A') < 26u ? 0x20 : 0));
          ++n;
          ++p;
          continue;
        }
        if ((cls == kApos || cls == kHyphen) && IsWordAt(p + 1, end)) {
          if (n < buf_cap) ascii_buf[n] = static_cast<char>(c);
          ++n;
          ++p;
          continue;
        }
        break;
      }
      Decoded d = DecodeWide(p, static_cast<size_t>(end - p));
      bool take = false;
      switch (d.role) {
        case Wide::kLetter:
          has_letter = true;
          take = true;
          break;
        case Wide::kDigit:
          take = options_.digits;
          break;
        case Wide::kMark:
          take = true;
          break;
        case Wide::kApos:
          take = options_.inner_apostrophe && IsWordAt(p + d.len, end);
          break;
        case Wide::kHyphen:
          take = options_.inner_hyphen && IsWordAt(p + d.len, end);
          break;
        case Wide::kJoiner:
          take = IsWordAt(p + d.len, end);
          break;
        default:
          break;
      }
      if (!take) break;
      wide = true;
      p += d.len;
    }

    std::string_view surface(reinterpret_cast<const char*>(start), static_cast<size_t>(p - start));
    if (!has_letter && !options_.numbers) continue;
    if (surface.size() > max_bytes && !wide) {
      ++long_skipped_;
      continue;
    }
    std::string_view folded = wide ? FoldWide(surface) : std::string_view(ascii_buf, n);
    if (folded.empty()) continue;
    if (folded.size() > max_bytes) {
      ++long_skipped_;
      continue;
    }
    fn(Token{folded, surface});
  }
}

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_TOKENIZER_H_
