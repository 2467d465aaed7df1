#include "text/phonetic.h"

#include <cctype>

namespace nightjar {
namespace {

bool IsVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

// The letters of `word`, upper-cased, other characters dropped, and a doubled letter written
// once (except C: "acc" sounds K S).
std::string Letters(std::string_view word) {
  std::string w;
  for (char ch : word) {
    const auto u = static_cast<unsigned char>(ch);
    if (!std::isalpha(u) || u >= 0x80) continue;
    const char c = static_cast<char>(std::toupper(u));
    if (!w.empty() && w.back() == c && c != 'C') continue;
    w.push_back(c);
  }
  return w;
}

// Drops or rewrites the first letters as Metaphone does: KN GN PN AE WR, X, WH.
size_t Start(std::string& w) {
  auto starts = [&](std::string_view p) { return w.compare(0, p.size(), p) == 0; };
  if (starts("KN") || starts("GN") || starts("PN") || starts("AE") || starts("WR")) return 1;
  if (starts("X")) w[0] = 'S';
  if (starts("WH")) {
    w.erase(1, 1);  // "WH" -> "W"
  }
  return 0;
}

// The code of w[i] given its neighbours ("" when silent), and how many extra letters it takes.
std::string_view Code(const std::string& w, size_t i, size_t* skip) {
  const char c = w[i];
  const char prev = i > 0 ? w[i - 1] : '\0';
  const char next = i + 1 < w.size() ? w[i + 1] : '\0';
  const char next2 = i + 2 < w.size() ? w[i + 2] : '\0';
  const bool last = i + 1 == w.size();
  auto front = [](char x) { return x == 'E' || x == 'I' || x == 'Y'; };
  switch (c) {
    case 'A':
    case 'E':
    case 'I':
    case 'O':
    case 'U':
      return i == 0 ? std::string_view(&w[i], 1) : "";
    case 'B':
      return prev == 'M' && last ? "" : "B";  // "thumb"
    case 'C':
      if (next == 'I' && next2 == 'A') return "X";  // "-cia-"
      if (next == 'H') {
        *skip = 1;
        return prev == 'S' ? "K" : "X";  // "school", "church"
      }
      if (front(next)) return prev == 'S' ? "" : "S";  // "science", "cent"
      return "K";
    case 'D':
      if (next == 'G' && front(next2)) {
        *skip = 1;
        return "J";  // "edge"
      }
      return "T";
    case 'G':
      if (next == 'H' && !(i + 2 < w.size() && IsVowel(next2))) {
        *skip = 1;
        return "";  // "night", "though"
      }
      if (next == 'N' && (i + 2 == w.size() || w.compare(i + 1, 4, "NED") == 0)) return "";
      if (front(next)) return "J";  // "gem"
      return "K";
    case 'H':
      if (IsVowel(prev) && !IsVowel(next)) return "";
      if (prev == 'C' || prev == 'S' || prev == 'P' || prev == 'T' || prev == 'G') return "";
      return "H";
    case 'K':
      return prev == 'C' ? "" : "K";
    case 'P':
      if (next == 'H') {
        *skip = 1;
        return "F";
      }
      return "P";
    case 'Q':
      return "K";
    case 'S':
      if (next == 'H') {
        *skip = 1;
        return "X";
      }
      if (next == 'I' && (next2 == 'O' || next2 == 'A')) return "X";  // "-sion", "-sia"
      return "S";
    case 'T':
      if (next == 'I' && (next2 == 'O' || next2 == 'A')) return "X";  // "-tion"
      if (next == 'H') {
        *skip = 1;
        return "0";
      }
      if (next == 'C' && next2 == 'H') return "";  // "watch"
      return "T";
    case 'V':
      return "F";
    case 'W':
    case 'Y':
      return IsVowel(next) ? std::string_view(&w[i], 1) : "";
    case 'X':
      return "KS";
    case 'Z':
      return "S";
    default:
      return std::string_view(&w[i], 1);  // F J L M N R
  }
}

}  // namespace

std::string PhoneticKey(std::string_view word) {
  std::string w = Letters(word);
  if (w.empty()) return "";
  std::string key;
  for (size_t i = Start(w); i < w.size(); ++i) {
    size_t skip = 0;
    for (char code : Code(w, i, &skip)) {
      if (key.empty() || key.back() != code) key.push_back(code);
    }
    i += skip;
  }
  return key;
}

}  // namespace nightjar
