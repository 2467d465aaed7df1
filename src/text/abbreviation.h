#ifndef NIGHTJAR_TEXT_ABBREVIATION_H_
#define NIGHTJAR_TEXT_ABBREVIATION_H_

#include <functional>
#include <string_view>

namespace nightjar {

// An abbreviation defined in running text. Both views point into the scanned text.
struct AbbreviationDefinition {
  std::string_view short_form;  // "ML"
  std::string_view long_form;   // "machine learning"
};

// Finds abbreviation definitions in `text` with the algorithm of Schwartz & Hearst (2003),
// "A simple algorithm for identifying abbreviation definitions in biomedical text", in both
// orders: "long form (SF)" and "SF (long form)". For each definition found, calls fn.
//
// A short form has 2..10 characters, at most two words, starts with a letter or digit and holds
// at least one upper-case letter (a stricter rule than the paper's, which keeps lower-case
// parentheticals such as "(see below)" out). The long form is searched in at most
// min(|SF| + 5, 2 |SF|) words before the parenthesis, within the sentence; every character of
// the short form must be matched right to left, the first at the start of a word. Pure; thread-
// safe.
void FindAbbreviations(std::string_view text,
                       const std::function<void(const AbbreviationDefinition&)>& fn);

// The Schwartz & Hearst best long form of `short_form` within `candidate` (a suffix of it), or
// an empty view when the letters do not match. Exposed for tests.
std::string_view BestLongForm(std::string_view short_form, std::string_view candidate);

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_ABBREVIATION_H_
