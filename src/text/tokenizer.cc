#include "text/tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace nightjar {
namespace {

constexpr size_t kMaxTokenBytesLimit = 256;  // the fast path's stack buffer

bool IsIdeograph(int32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool IsApostropheLike(int32_t cp) { return cp == 0x2019 || cp == 0x02BC || cp == 0xFF07; }
bool IsHyphenLike(int32_t cp) { return cp == 0x2010 || cp == 0x2011; }
bool IsJoiner(int32_t cp) { return cp == 0x00AD || cp == 0x200C || cp == 0x200D; }

void AppendUtf8(std::string& out, int32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }  // NOLINT: utf8proc mallocs
};

}  // namespace

Tokenizer::Tokenizer(const TokenizerOptions& options) : options_(options) {
  options_.max_token_bytes = std::clamp<size_t>(options_.max_token_bytes, 1, kMaxTokenBytesLimit);
  for (int c = 0; c < 256; ++c) {
    uint8_t cls = 0;
    if (c >= 'a' && c <= 'z') cls = kLower;
    if (c >= 'A' && c <= 'Z') cls = kUpper;
    if (c >= '0' && c <= '9' && options_.digits) cls = kDigit;
    if (c == '\'' && options_.inner_apostrophe) cls = kJoin;
    if (c == '-' && options_.inner_hyphen) cls = kJoin;
    if (c >= 0x80) cls = kHigh;
    class_[static_cast<size_t>(c)] = cls;
  }
  scratch_.reserve(kMaxTokenBytesLimit * 4);
}

Tokenizer::Decoded Tokenizer::DecodeWide(const unsigned char* p, size_t avail) {
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n =
      utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(std::min<size_t>(avail, 4)), &cp);
  if (n <= 0) return {Wide::kSep, 1};
  auto len = static_cast<uint8_t>(n);
  if (IsApostropheLike(cp)) return {Wide::kApos, len};
  if (IsHyphenLike(cp)) return {Wide::kHyphen, len};
  if (IsJoiner(cp)) return {Wide::kJoiner, len};
  const utf8proc_category_t category = utf8proc_category(cp);
  if (IsIdeograph(cp) && category == UTF8PROC_CATEGORY_LO) return {Wide::kIdeograph, len};
  switch (category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return {Wide::kLetter, len};
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return {Wide::kMark, len};
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return {Wide::kDigit, len};
    default:
      return {Wide::kSep, len};
  }
}

bool Tokenizer::IsWordAt(const unsigned char* p, const unsigned char* end) const {
  if (p >= end) return false;
  if (*p < 0x80) return (class_[*p] & kWord) != 0;
  Decoded d = DecodeWide(p, static_cast<size_t>(end - p));
  return d.role == Wide::kLetter || d.role == Wide::kMark ||
         (d.role == Wide::kDigit && options_.digits);
}

std::string_view Tokenizer::FoldWide(std::string_view surface) {
  scratch_.clear();
  utf8proc_uint8_t* raw = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(surface.data()),
      static_cast<utf8proc_ssize_t>(surface.size()), &raw,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(raw);
  if (n < 0) return {};  // surface was validated while scanning; defensive only
  // Keep word characters; unify apostrophes and hyphens; drop what NFKC turned into symbols.
  const utf8proc_uint8_t* q = raw;
  const utf8proc_uint8_t* q_end = raw + n;
  while (q < q_end) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(q, q_end - q, &cp);
    if (len <= 0) break;
    q += len;
    if (cp == '\'' || IsApostropheLike(cp)) {
      scratch_.push_back('\'');
    } else if (cp == '-' || IsHyphenLike(cp)) {
      scratch_.push_back('-');
    } else {
      utf8proc_category_t cat = utf8proc_category(cp);
      bool keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) ||
                  ((cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO) && options_.digits);
      if (keep) AppendUtf8(scratch_, cp);
    }
  }
  // Trim apostrophes/hyphens that folding left at the edges ("’" alone never starts a token, but
  // a dropped symbol can expose one).
  size_t b = 0, e = scratch_.size();
  while (b < e && (scratch_[b] == '\'' || scratch_[b] == '-')) ++b;
  while (e > b && (scratch_[e - 1] == '\'' || scratch_[e - 1] == '-')) --e;
  return std::string_view(scratch_).substr(b, e - b);
}

const unsigned char* Tokenizer::Step(const unsigned char* p, const unsigned char* end, Token* token,
                                     bool* emitted) {
  *emitted = false;
  // Skip one separator; stop at a word start.
  if (*p < 0x80) {
    if ((class_[*p] & kWord) == 0) return p + 1;
  } else {
    Decoded d = DecodeWide(p, static_cast<size_t>(end - p));
    if (d.role == Wide::kIdeograph) {
      std::string_view surface(reinterpret_cast<const char*>(p), d.len);
      std::string_view folded = FoldWide(surface);
      if (!folded.empty()) {
        *token = Token{folded, surface, folded.size()};
        *emitted = true;
      }
      return p + d.len;
    }
    if (d.role != Wide::kLetter && (d.role != Wide::kDigit || !options_.digits)) return p + d.len;
  }

  const size_t max_bytes = options_.max_token_bytes;
  const unsigned char* start = p;
  bool wide = false;
  bool has_letter = false;
  size_t n = 0;  // bytes written to fold_buf_ while the token is pure ASCII
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      uint8_t cls = class_[c];
      if (cls & kWord) {
        has_letter |= (cls & (kLower | kUpper)) != 0;
        if (n < max_bytes) {
          fold_buf_[n] = static_cast<char>(c | (static_cast<unsigned>(c - 'A') < 26u ? 0x20 : 0));
        }
        ++n;
        ++p;
        continue;
      }
      if ((cls & kJoin) && IsWordAt(p + 1, end)) {
        if (n < max_bytes) fold_buf_[n] = static_cast<char>(c);
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
  if (!has_letter && !options_.numbers) return p;
  if (surface.size() > max_bytes && !wide) {
    ++long_skipped_;
    return p;
  }
  std::string_view folded = wide ? FoldWide(surface) : std::string_view(fold_buf_, n);
  if (folded.empty()) return p;
  if (folded.size() > max_bytes) {
    ++long_skipped_;
    return p;
  }
  *token = Token{folded, surface, wide ? folded.size() : sizeof(fold_buf_)};
  *emitted = true;
  return p;
}

}  // namespace nightjar
