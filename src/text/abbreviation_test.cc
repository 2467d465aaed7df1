#include "text/abbreviation.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

std::vector<std::pair<std::string, std::string>> Find(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  FindAbbreviations(text, [&](const AbbreviationDefinition& d) {
    out.emplace_back(std::string(d.short_form), std::string(d.long_form));
  });
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(Abbreviation, LongFormFirst) {
  EXPECT_EQ(Find("Recent advances in machine learning (ML) changed the field."),
            (Pairs{{"ML", "machine learning"}}));
}

TEST(Abbreviation, ShortFormFirst) {
  EXPECT_EQ(Find("The WHO (World Health Organization) team met again."),
            (Pairs{{"WHO", "World Health Organization"}}));
}

TEST(Abbreviation, MixedCaseAndHyphens) {
  EXPECT_EQ(Find("the Internet of Things (IoT) grows"), (Pairs{{"IoT", "Internet of Things"}}));
  EXPECT_EQ(Find("a non-governmental organization (NGO) said"),
            (Pairs{{"NGO", "non-governmental organization"}}));
}

TEST(Abbreviation, LettersThatDoNotMatchAreRejected) {
  EXPECT_TRUE(Find("we used a neural network (XYZ) for it").empty());
  // RSVP's letters are not all in its English gloss.
  EXPECT_TRUE(Find("please respond if you please (RSVP) soon").empty());
}

TEST(Abbreviation, LowerCaseParentheticalsAreNotShortForms) {
  EXPECT_TRUE(Find("the results (see below) were good").empty());
  EXPECT_TRUE(Find("in 1999 (approx) it rained").empty());
}

TEST(Abbreviation, StaysInItsSentence) {
  // "Learning." ends the sentence: the long form cannot reach back across it.
  EXPECT_TRUE(Find("We like Markov. Learning (ML) is fun").empty());
}

TEST(Abbreviation, LongFormMayNotContainTheShortForm) {
  EXPECT_TRUE(Find("we use ML learning (ML) here").empty());
}

TEST(Abbreviation, BestLongFormMatchesRightToLeft) {
  EXPECT_EQ(BestLongForm("HSF", "using heat shock factor"), "heat shock factor");
  EXPECT_EQ(BestLongForm("ML", "xyz"), "");
}

TEST(Abbreviation, UnbalancedParenthesesAreHarmless) {
  EXPECT_TRUE(Find("broken (ML text").empty());
  EXPECT_TRUE(Find(")(").empty());
  EXPECT_EQ(Find("((machine learning (ML)"), (Pairs{{"ML", "machine learning"}}));
}

}  // namespace
}  // namespace nightjar
