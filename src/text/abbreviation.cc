#include "text/abbreviation.h"

#include <algorithm>
#include <cctype>

namespace nightjar {
namespace {

bool IsAlnum(char c) {
  // Bytes of multi-byte UTF-8 characters count as word characters.
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         (static_cast<unsigned char>(c) >= 0x80);
}
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

int CountWords(std::string_view s) {
  int words = 0;
  bool in_word = false;
  for (char c : s) {
    if (IsSpace(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

bool IsValidShortForm(std::string_view s) {
  if (s.size() < 2 || s.size() > 10 || CountWords(s) > 2) return false;
  if (!IsAlnum(s.front())) return false;
  bool upper = false;
  for (char c : s) {
    if (c == '(' || c == ')' || c == ';' || c == ',' || c == '.' || c == '=') return false;
    upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  return upper;
}

// Characters that end the sentence a long form may be taken from.
bool IsClauseBreak(char c) {
  return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '(' || c == ')' ||
         c == '[' || c == ']' || c == '"' || c == '\n';
}

// The last `max_words` words of `before`, stopping at a clause break.
std::string_view TailWords(std::string_view before, int max_words) {
  size_t start = before.size();
  int words = 0;
  size_t i = before.size();
  while (i > 0 && IsSpace(before[i - 1])) --i;
  while (i > 0) {
    if (IsClauseBreak(before[i - 1])) break;
    size_t end = i;
    while (i > 0 && !IsSpace(before[i - 1]) && !IsClauseBreak(before[i - 1])) --i;
    if (i == end) break;
    ++words;
    start = i;
    if (words == max_words) break;
    while (i > 0 && IsSpace(before[i - 1])) --i;
  }
  return Trim(before.substr(start));
}

int WordLimit(std::string_view short_form) {
  const int n = static_cast<int>(short_form.size());
  return std::min(n + 5, 2 * n);
}

// The paper's final checks on a (short, long) pair.
bool Acceptable(std::string_view short_form, std::string_view long_form) {
  if (long_form.empty() || long_form.size() <= short_form.size()) return false;
  if (CountWords(long_form) > WordLimit(short_form)) return false;
  // The long form must not contain the short form as a word ("ML methods (ML)").
  for (size_t pos = long_form.find(short_form); pos != std::string_view::npos;
       pos = long_form.find(short_form, pos + 1)) {
    const bool left = pos == 0 || !IsAlnum(long_form[pos - 1]);
    const size_t end = pos + short_form.size();
    const bool right = end == long_form.size() || !IsAlnum(long_form[end]);
    if (left && right) return false;
  }
  // Words, not markup or mojibake: letters, digits, spaces and a little punctuation.
  for (char c : long_form) {
    if (!IsAlnum(c) && !IsSpace(c) && c != '-' && c != '\'' && c != '&' && c != '/' && c != '.') {
      return false;
    }
  }
  if (long_form.find("\xef\xbf\xbd") != std::string_view::npos) return false;  // U+FFFD
  return IsAlnum(long_form.front());
}

}  // namespace

std::string_view BestLongForm(std::string_view short_form, std::string_view candidate) {
  int s = static_cast<int>(short_form.size()) - 1;
  int l = static_cast<int>(candidate.size()) - 1;
  for (; s >= 0; --s) {
    const char c = Lower(short_form[static_cast<size_t>(s)]);
    if (!IsAlnum(c)) continue;
    while ((l >= 0 && Lower(candidate[static_cast<size_t>(l)]) != c) ||
           (s == 0 && l > 0 && IsAlnum(candidate[static_cast<size_t>(l - 1)]))) {
      --l;
    }
    if (l < 0) return {};
    --l;
  }
  // Back to the start of the word holding the first match.
  size_t start = static_cast<size_t>(l + 1);
  while (start > 0 && !IsSpace(candidate[start - 1])) --start;
  return candidate.substr(start);
}

void FindAbbreviations(std::string_view text,
                       const std::function<void(const AbbreviationDefinition&)>& fn) {
  size_t open = text.find('(');
  while (open != std::string_view::npos) {
    const size_t close = text.find(')', open + 1);
    if (close == std::string_view::npos) return;
    const size_t nested = text.find('(', open + 1);
    if (nested != std::string_view::npos && nested < close) {  // "((" : restart at the inner one
      open = nested;
      continue;
    }
    std::string_view inside = Trim(text.substr(open + 1, close - open - 1));
    // "long form (SF; other text)": the short form is what precedes ';' or ','.
    if (size_t cut = inside.find_first_of(";,"); cut != std::string_view::npos) {
      inside = Trim(inside.substr(0, cut));
    }
    std::string_view before = text.substr(0, open);
    if (IsValidShortForm(inside)) {
      // long form (SF)
      std::string_view candidate = TailWords(before, WordLimit(inside));
      std::string_view long_form = BestLongForm(inside, candidate);
      if (Acceptable(inside, long_form)) fn(AbbreviationDefinition{inside, long_form});
    } else if (CountWords(inside) > 2) {
      // SF (long form): the short form is the word just before the parenthesis.
      std::string_view word = TailWords(before, 1);
      if (IsValidShortForm(word) && CountWords(word) == 1) {
        std::string_view long_form = BestLongForm(word, inside);
        // The long form must be the whole parenthetical, give or take its first words.
        if (Acceptable(word, long_form) && CountWords(inside) <= WordLimit(word)) {
          fn(AbbreviationDefinition{word, long_form});
        }
      }
    }
    open = text.find('(', close + 1);
  }
}

}  // namespace nightjar
