#include "count/abbreviation_counts.h"

#include <cctype>

#include "text/abbreviation.h"

namespace nightjar {
namespace {

std::string NormalizeLongForm(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

std::string AbbreviationCounts::Key(std::string_view short_form, std::string_view long_form) {
  std::string key(short_form);
  key.push_back('\x1f');
  key += long_form;
  return key;
}

void CountAbbreviations(std::string_view field, AbbreviationCounts* counts) {
  if (field.find('(') == std::string_view::npos) return;
  FindAbbreviations(field, [&](const AbbreviationDefinition& d) {
    counts->Add(AbbreviationCounts::Key(d.short_form, NormalizeLongForm(d.long_form)));
  });
}

}  // namespace nightjar
