#include "lexicon/expansions.h"

#include <map>
#include <string>

#include "count/term_table.h"
#include "count/vocabulary.h"
#include "gtest/gtest.h"
#include "lexicon/function_words.h"
#include "lexicon/lexicon_builder.h"

namespace nightjar {
namespace {

std::shared_ptr<const Dictionary> English() {
  LexiconOptions o;
  EXPECT_TRUE(LoadDictionary(&o).ok());
  return o.expansions.dictionary;
}

TEST(FunctionWords, TheLanguagesListTheExtraWordsAndEvenlySpreadShortWords) {
  TermTable terms;
  // 2000 documents: "und" in 1500 of them at about one a document (spread evenly); "python" in
  // 800 but clustered (20 a document); "zwischen" evenly spread but long; "rare" in few.
  terms.Add("und", TermStats{1700, 1500});
  terms.Add("python", TermStats{16000, 800});
  terms.Add("zwischen", TermStats{1700, 1500});
  terms.Add("rare", TermStats{30, 20});
  const Vocabulary vocab(terms, 1);
  FunctionWordOptions o;
  o.extra = {"qua"};
  auto words = FunctionWords(vocab, 2000, "en_US", o);
  EXPECT_TRUE(words.contains("und"));
  EXPECT_FALSE(words.contains("python"));
  EXPECT_FALSE(words.contains("zwischen"));  // longer than max_chars
  EXPECT_FALSE(words.contains("rare"));
  EXPECT_TRUE(words.contains("the"));  // the language's list
  EXPECT_TRUE(words.contains("isn't"));
  EXPECT_TRUE(words.contains("qua"));  // the setting
  // A small corpus teaches nothing; a language without a list has only the extra words.
  EXPECT_FALSE(FunctionWords(vocab, 500, "en_US", o).contains("und"));
  auto none = FunctionWords(vocab, 500, "xx", o);
  EXPECT_EQ(none.size(), 1u);
}

TEST(ExpansionKinds, PhrasesFormsAndDerivationsButNotLookAlikes) {
  const auto d = English();
  EXPECT_EQ(MorphologicalKind("learning", "machine learning", d.get()), kPhraseExpansion);
  EXPECT_EQ(MorphologicalKind("new york", "new york city", d.get()), kPhraseExpansion);
  EXPECT_EQ(MorphologicalKind("customer", "customers", d.get()), kInflectionExpansion);
  EXPECT_EQ(MorphologicalKind("happy", "happiness", d.get()), kInflectionExpansion);
  EXPECT_EQ(MorphologicalKind("organize", "organization", nullptr), kInflectionExpansion);
  EXPECT_EQ(MorphologicalKind("walked", "walking", d.get()), kInflectionExpansion);
  EXPECT_EQ(MorphologicalKind("learning", "earning", d.get()), "");
  EXPECT_EQ(MorphologicalKind("news", "newsletter", d.get()), "");
  EXPECT_EQ(MorphologicalKind("harris", "palmer", d.get()), "");
  EXPECT_EQ(MorphologicalKind("able", "unable", d.get()), "");  // a stem, the opposite meaning
  EXPECT_EQ(MorphologicalKind("illegal", "legal", d.get()), "");
  EXPECT_EQ(MorphologicalKind("returned", "turned", d.get()), "");  // stems through prefixes
  EXPECT_EQ(MorphologicalKind("program", "gram", d.get()), "");
  EXPECT_EQ(MorphologicalKind("new york", "los angeles", d.get()), "");
}

TEST(WordForms, TheCorpusFormsADictionaryConfirms) {
  std::map<std::string, uint64_t> freq = {{"study", 100}, {"studies", 80}, {"studied", 40},
                                          {"car", 500},   {"cared", 30},   {"cars", 200},
                                          {"walk", 50},   {"walks", 3}};
  auto frequency = [&](std::string_view w) {
    auto it = freq.find(std::string(w));
    return it == freq.end() ? uint64_t{0} : it->second;
  };
  ExpansionOptions o;
  o.dictionary = English();
  const auto forms = WordForms({"study", "car", "walk"}, frequency, o);
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& e : forms) {
    for (const auto& x : e.expansions) {
      EXPECT_EQ(x.kind, kInflectionExpansion);
      EXPECT_GE(x.score, 0.5);
      EXPECT_LE(x.score, 1.0);
      got[e.term].push_back(x.term);
    }
  }
  EXPECT_EQ(got["study"], (std::vector<std::string>{"studies", "studied"}));  // nearest first
  EXPECT_EQ(got["car"], (std::vector<std::string>{"cars"}));                  // "cared" is "care"'s
  EXPECT_FALSE(got.contains("walk"));  // "walks" is rarer than min_form_frequency
}

TEST(MineExpansions, FunctionWordsNeverExpandNorExpandAndSiblingsStayOut) {
  ExpansionInputs in;
  in.function_words = {"it", "you", "we", "the", "of"};
  const std::vector<Acronym> acronyms = {Acronym{"IT", "information technology", 9, 0.9},
                                         Acronym{"ML", "machine learning", 9, 0.9}};
  in.acronyms = acronyms;
  const std::vector<RelatedEntry> related = {
      RelatedEntry{"you", {{"we", 0.9f}, {"me", 0.8f}}, {0.9f, 0.8f}},
      RelatedEntry{"monday", {{"friday", 0.95f}, {"mondays", 0.7f}}, {0.95f, 0.7f}},
      RelatedEntry{"friday", {{"monday", 0.95f}}, {0.95f}},
      RelatedEntry{"film", {{"movie", 0.92f}, {"of the", 0.9f}}, {0.92f, 0.9f}},
      RelatedEntry{"movie", {{"film", 0.92f}}, {0.92f}},
  };
  in.related = related;
  ExpansionOptions o;
  auto by_term = [&](const ExpansionOptions& options) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
    for (const auto& e : MineExpansions(in, options)) {
      for (const auto& x : e.expansions) out[e.term].emplace_back(x.term, std::string(x.kind));
    }
    return out;
  };
  auto got = by_term(o);
  EXPECT_FALSE(got.contains("you"));  // a function word is never expanded ...
  EXPECT_FALSE(got.contains("it"));   // ... not even as an acronym
  EXPECT_FALSE(got.contains("information technology"));
  EXPECT_EQ(got["ml"],
            (std::vector<std::pair<std::string, std::string>>{{"machine learning", "acronym"}}));
  EXPECT_EQ(got["monday"],
            (std::vector<std::pair<std::string, std::string>>{{"mondays", "inflection"}}));
  EXPECT_FALSE(got.contains("film"));  // synonyms are off by default; "of the" is all function
  // Synonyms on: mutual close neighbours, unless the corpus joins them with "and"/"or".
  o.min_synonym_cosine = 0.9;
  in.coordinated = [](std::string_view a, std::string_view b) {
    return (a == "monday" && b == "friday") || (a == "friday" && b == "monday");
  };
  got = by_term(o);
  EXPECT_EQ(got["film"], (std::vector<std::pair<std::string, std::string>>{{"movie", "synonym"}}));
  EXPECT_EQ(got["monday"],
            (std::vector<std::pair<std::string, std::string>>{{"mondays", "inflection"}}));
  EXPECT_FALSE(got.contains("friday"));
}

}  // namespace
}  // namespace nightjar
