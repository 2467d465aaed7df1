#include "lexicon/records.h"

#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

// Writes `r`, parses it back and writes that again: the same bytes both times.
template <typename Record>
std::string RoundTrip(const Record& r) {
  const std::string json = r.ToJson();
  absl::StatusOr<Record> back = Record::Parse(json);
  EXPECT_TRUE(back.ok()) << back.status() << " in " << json;
  if (!back.ok()) return "";
  EXPECT_EQ(back->ToJson(), json);
  return json;
}

TEST(RecordsTest, EveryRecordWritesItsFieldsInOrderAndParsesBack) {
  EXPECT_EQ(RoundTrip(SpellingRecord{"search", 10, 4, {"serch", "saerch"}, "v1"}),
            R"({"word":"search","frequency":10,"doc_frequency":4,"variants":["serch","saerch"],)"
            R"("version":"v1"})");
  EXPECT_EQ(RoundTrip(VocabularyRecord{"search", 10}), R"({"word":"search","frequency":10})");
  EXPECT_EQ(RoundTrip(ErrorModelRecord{"transposition", 0.61234, 199, "v1"}),
            R"({"edit":"transposition","cost":0.6123,"count":199,"version":"v1"})");
  EXPECT_FALSE(ErrorModelRecord::Parse(R"({"edit":"x","cost":0,"count":1,"version":"v"})").ok());
  EXPECT_EQ(RoundTrip(BigramRecord{"new", {{"york", 12}, {"zealand", 3}}}),
            R"({"word":"new","next":[["york",12],["zealand",3]]})");
  EXPECT_EQ(RoundTrip(CorrectionRecord{"serch", "search", 0.123456, "v1"}),
            R"({"variant":"serch","word":"search","score":0.1235,"version":"v1"})");
  EXPECT_EQ(RoundTrip(RelatedRecord{"car", {{"auto", 0.5}, {"truck", 0.25}}, "v1", "t"}),
            R"({"word":"car","related_terms":[{"term":"auto","score":0.5},)"
            R"({"term":"truck","score":0.25}],"version":"v1","last_updated":"t"})");
  EXPECT_EQ(RoundTrip(ExpansionRecord{"ml", {{"machine learning", 1, "acronym"}}, 5, "v1"}),
            R"({"term":"ml","expansions":[{"term":"machine learning","score":1,"kind":"acronym"}],)"
            R"("max_expansions":5,"version":"v1"})");
  // Versions published before kinds read without them.
  EXPECT_EQ(RoundTrip(ExpansionRecord{"ml", {{"machine learning", 1}}, 5, "v1"}),
            R"({"term":"ml","expansions":[{"term":"machine learning","score":1}],)"
            R"("max_expansions":5,"version":"v1"})");
  EXPECT_EQ(RoundTrip(PhraseRecord{"new york", 2, 40, 0.87654, "v1"}),
            R"({"phrase":"new york","words":2,"count":40,"score":0.8765,"version":"v1"})");
  EXPECT_EQ(RoundTrip(AcronymRecord{"ML", "machine learning", 3, 0.75, "v1"}),
            R"({"short_form":"ML","long_form":"machine learning","count":3,"confidence":0.75,)"
            R"("version":"v1"})");
  EXPECT_EQ(RoundTrip(NgramRecord{"<se", 3, 100, 7, "v1"}),
            R"({"ngram":"<se","n":3,"frequency":100,"term_count":7,"version":"v1"})");
}

TEST(RecordsTest, ExpansionKindsAreKnownOnes) {
  for (const char* kind : {"acronym", "inflection", "phrase", "synonym"})
    EXPECT_TRUE(IsExpansionKind(kind));
  auto bad = ExpansionRecord::Parse(
      R"({"term":"a","expansions":[{"term":"b","score":1,"kind":"guess"}],"max_expansions":3,)"
      R"("version":"v"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown kind \"guess\""));
  auto wrong = ExpansionRecord::Parse(
      R"({"term":"a","expansions":[{"term":"b","score":1,"kind":7}],"max_expansions":3,)"
      R"("version":"v"})");
  EXPECT_FALSE(wrong.ok());
}

TEST(RecordsTest, ParseErrorsNameTheField) {
  auto missing = SpellingRecord::Parse(R"({"word":"x","frequency":1,"variants":[],"version":"v"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing \"doc_frequency\""));
  auto wrong =
      CorrectionRecord::Parse(R"({"variant":"a","word":"b","score":"high","version":"v"})");
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("\"score\" has the wrong type"));
  auto negative =
      NgramRecord::Parse(R"({"ngram":"a","n":-1,"frequency":1,"term_count":1,"version":"v"})");
  EXPECT_FALSE(negative.ok());
  auto bad_list = RelatedRecord::Parse(
      R"({"word":"a","related_terms":[{"term":"b"}],"version":"v","last_updated":"t"})");
  ASSERT_FALSE(bad_list.ok());
  EXPECT_THAT(bad_list.status().message(), HasSubstr("\"related_terms\""));
  auto variants = SpellingRecord::Parse(
      R"({"word":"x","frequency":1,"doc_frequency":1,"variants":["a",2],"version":"v"})");
  EXPECT_FALSE(variants.ok());
  EXPECT_FALSE(VocabularyRecord::Parse("[1,2]").ok());
  EXPECT_FALSE(VocabularyRecord::Parse("not json").ok());
  for (const char* bad : {R"({"word":"a","next":[["b"]]})", R"({"word":"a","next":[["b",-1]]})",
                          R"({"word":"a","next":[[2,1]]})", R"({"word":"a","next":{"b":1}})"}) {
    auto pairs = BigramRecord::Parse(bad);
    ASSERT_FALSE(pairs.ok()) << bad;
    EXPECT_THAT(pairs.status().message(), HasSubstr("\"next\" has the wrong type"));
  }
}

TEST(RecordsTest, UnknownFieldsAreIgnoredAndIntegersReadAsScores) {
  auto r = PhraseRecord::Parse(
      R"({"phrase":"a b","words":2,"count":3,"score":1,"version":"v","added_later":true})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->score, 1.0);
  EXPECT_EQ(r->phrase, "a b");
}

TEST(RecordsTest, ParseRecordDispatchesByLexicon) {
  auto spelling = ParseRecord(kSpellingLexicon, SpellingRecord{"w", 1, 1, {}, "v"}.ToJson());
  ASSERT_TRUE(spelling.ok());
  EXPECT_TRUE(std::holds_alternative<SpellingRecord>(*spelling));
  // The same bytes are not a valid record of another lexicon.
  EXPECT_FALSE(ParseRecord(kNgramsLexicon, SpellingRecord{"w", 1, 1, {}, "v"}.ToJson()).ok());
  auto bigram = ParseRecord(kBigramsLexicon, BigramRecord{"a", {{"b", 3}}}.ToJson());
  ASSERT_TRUE(bigram.ok());
  EXPECT_TRUE(std::holds_alternative<BigramRecord>(*bigram));
  // A lexicon this build does not know: any JSON object.
  auto unknown = ParseRecord("future", R"({"anything":1})");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*unknown));
  EXPECT_FALSE(ParseRecord("future", "[]").ok());
}

TEST(RecordsTest, SchemaRules) {
  EXPECT_TRUE(IsCleanTerm("café"));
  EXPECT_FALSE(IsCleanTerm(""));
  EXPECT_FALSE(IsCleanTerm("a\tb"));
  EXPECT_FALSE(IsCleanTerm("a\x7f"));
  EXPECT_FALSE(IsCleanTerm("a\xc2\x85"));  // U+0085, a C1 control
  EXPECT_TRUE(IsUnitScore(0));
  EXPECT_TRUE(IsUnitScore(1));
  EXPECT_FALSE(IsUnitScore(1.0001));
  EXPECT_FALSE(IsUnitScore(-0.1));
  EXPECT_FALSE(IsUnitScore(std::nan("")));
}

TEST(RecordsTest, TermsAndScoresAreReportedForTheGates) {
  const RelatedRecord r{"car", {{"auto", 0.5}, {"truck", 1.5}}, "v", "t"};
  std::vector<std::string> terms;
  r.ForEachTerm([&](std::string_view t) { terms.emplace_back(t); });
  EXPECT_EQ(terms, (std::vector<std::string>{"car", "auto", "truck"}));
  int bad = 0;
  r.ForEachScore([&](std::string_view, double s) { bad += !IsUnitScore(s); });
  EXPECT_EQ(bad, 1);
}

}  // namespace
}  // namespace nightjar
