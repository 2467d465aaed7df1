#include "store/validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

const GateResult& GateOf(const ValidationReport& r, const std::string& name) {
  for (const auto& g : r.gates) {
    if (g.name == name) return g;
  }
  static GateResult none;
  ADD_FAILURE() << "no gate " << name;
  return none;
}

std::vector<LexiconFileInfo> Sizes(uint64_t spelling) {
  return {LexiconFileInfo{"spelling", spelling, 0, ""}};
}

// A clean version: every gate passes.
VersionValidator Clean(ValidationOptions o = {}) {
  VersionValidator v(std::move(o));
  v.Observe(
      "spelling",
      R"({"word":"search","frequency":90,"doc_frequency":9,"variants":["serch"],"version":"v"})");
  v.Observe("spelling",
            R"({"word":"engine","frequency":50,"doc_frequency":5,"variants":[],"version":"v"})");
  v.Observe("corrections", R"({"variant":"serch","word":"search","score":0.9,"version":"v"})");
  v.Observe(
      "related",
      R"({"word":"search","related_terms":[{"term":"engine","score":0.5}],"version":"v","last_updated":"t"})");
  v.Observe(
      "expansions",
      R"({"term":"ml","expansions":[{"term":"machine learning","score":0.92}],"max_expansions":3,"version":"v"})");
  v.Observe(
      "acronyms",
      R"({"short_form":"ML","long_form":"machine learning","count":3,"confidence":0.75,"version":"v"})");
  return v;
}

TEST(ValidationTest, CleanVersionPassesEveryGate) {
  auto v = Clean();
  ValidationReport r = v.Finish(Sizes(2), nullptr);
  EXPECT_TRUE(r.passed()) << r.FirstFailure();
  EXPECT_EQ(r.gates.size(), 9u);
  EXPECT_THAT(GateOf(r, "size_band").detail, HasSubstr("no active version"));
  EXPECT_THAT(v.TopWords(), ::testing::ElementsAre("search", "engine"));
  EXPECT_THAT(r.Json(), HasSubstr("\"passed\":true"));
}

TEST(ValidationTest, SchemaGate) {
  auto v = Clean();
  v.Observe("spelling",
            R"({"word":"x","frequency":"many","doc_frequency":1,"variants":[],"version":"v"})");
  v.Observe("related", "not json");
  ValidationReport r = v.Finish(Sizes(3), nullptr);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(GateOf(r, "schema").failures, 2u);
  EXPECT_THAT(r.FirstFailure(), HasSubstr("schema: spelling: \"frequency\" has the wrong type"));
}

TEST(ValidationTest, ScoreRangeGate) {
  auto v = Clean();
  v.Observe("corrections", R"({"variant":"a","word":"b","score":1.5,"version":"v"})");
  v.Observe(
      "related",
      R"({"word":"x","related_terms":[{"term":"y","score":-0.1}],"version":"v","last_updated":"t"})");
  ValidationReport r = v.Finish(Sizes(2), nullptr);
  EXPECT_EQ(GateOf(r, "score_range").failures, 2u);
  EXPECT_FALSE(GateOf(r, "score_range").passed);
  EXPECT_TRUE(GateOf(r, "schema").passed);
}

TEST(ValidationTest, CleanTermsGate) {
  auto v = Clean();
  v.Observe("spelling",
            R"({"word":"","frequency":1,"doc_frequency":1,"variants":[],"version":"v"})");
  v.Observe("spelling",
            R"({"word":"a\u0007b","frequency":1,"doc_frequency":1,"variants":[],"version":"v"})");
  v.Observe(
      "expansions",
      R"({"term":"x","expansions":[{"term":"y\u0085","score":0.5}],"max_expansions":3,"version":"v"})");
  ValidationReport r = v.Finish(Sizes(5), nullptr);
  EXPECT_EQ(GateOf(r, "clean_terms").failures, 3u);
}

TEST(ValidationTest, SelfVariantGate) {
  auto v = Clean();
  v.Observe("spelling",
            R"({"word":"form","frequency":9,"doc_frequency":1,"variants":["form"],"version":"v"})");
  v.Observe("corrections", R"({"variant":"teh","word":"teh","score":0.5,"version":"v"})");
  ValidationReport r = v.Finish(Sizes(3), nullptr);
  EXPECT_EQ(GateOf(r, "no_self_variants").failures, 2u);
}

TEST(ValidationTest, CorrectionCycleGate) {
  auto v = Clean();
  v.Observe("corrections", R"({"variant":"aa","word":"bb","score":0.5,"version":"v"})");
  v.Observe("corrections", R"({"variant":"bb","word":"cc","score":0.5,"version":"v"})");
  v.Observe("corrections", R"({"variant":"cc","word":"aa","score":0.5,"version":"v"})");
  ValidationReport r = v.Finish(Sizes(2), nullptr);
  EXPECT_FALSE(GateOf(r, "no_correction_cycles").passed);
  // A chain without a cycle is allowed.
  auto ok = Clean();
  ok.Observe("corrections", R"({"variant":"aa","word":"bb","score":0.5,"version":"v"})");
  ok.Observe("corrections", R"({"variant":"bb","word":"cc","score":0.5,"version":"v"})");
  EXPECT_TRUE(GateOf(ok.Finish(Sizes(2), nullptr), "no_correction_cycles").passed);
}

TEST(ValidationTest, BoundedVariantsGate) {
  ValidationOptions o;
  o.max_variants_per_word = 2;
  auto v = Clean(o);
  v.Observe(
      "spelling",
      R"({"word":"word","frequency":9,"doc_frequency":1,"variants":["wrd","wodr","owrd"],"version":"v"})");
  ValidationReport r = v.Finish(Sizes(3), nullptr);
  EXPECT_THAT(GateOf(r, "bounded_variants").detail, HasSubstr("\"word\" has 3 variants (max 2)"));
}

TEST(ValidationTest, SizeBandGateComparesWithTheActiveVersion) {
  ValidationOptions o;
  o.size_band_min_records = 1;
  auto v = Clean(o);
  Manifest active;
  active.lexicons = {{"phrases", 5, 0, ""}, {"related", 1, 0, ""}, {"spelling", 10, 0, ""}};
  // spelling 2 vs 10 (allowed 5..15), phrases missing; related 1 vs 1 is fine.
  ValidationReport r = v.Finish({{"spelling", 2, 0, ""}, {"related", 1, 0, ""}}, &active);
  const GateResult& g = GateOf(r, "size_band");
  EXPECT_FALSE(g.passed);
  EXPECT_EQ(g.failures, 2u);
  EXPECT_THAT(g.detail, HasSubstr("spelling 2 records vs 10 active"));
  EXPECT_THAT(g.detail, HasSubstr("phrases missing"));
  // Small lexicons are exempt by default.
  auto v2 = Clean();
  EXPECT_TRUE(GateOf(v2.Finish({{"spelling", 2, 0, ""}}, &active), "size_band").passed);
}

TEST(ValidationTest, CanaryGate) {
  ValidationOptions o;
  o.canary_words = {"search", "zebra"};
  auto v = Clean(o);
  ValidationReport r = v.Finish(Sizes(2), nullptr);
  EXPECT_THAT(r.FirstFailure(), HasSubstr("canaries: missing from spelling: zebra"));
}

TEST(ValidationTest, TopOverlapGate) {
  ValidationOptions o;
  o.min_top_overlap = 0.6;
  auto v = Clean(o);
  // Active top words: search (kept), engine (kept), alpha, beta (gone): 50% < 60%.
  Manifest active;
  active.top_words = {"search", "engine", "alpha", "beta"};
  ValidationReport r = v.Finish(Sizes(2), &active);
  EXPECT_FALSE(GateOf(r, "top_overlap").passed);
  EXPECT_THAT(GateOf(r, "top_overlap").detail, HasSubstr("2 of the active version's top 4"));
  auto v2 = Clean(o);
  active.top_words = {"search", "engine", "x"};
  EXPECT_TRUE(GateOf(v2.Finish(Sizes(2), &active), "top_overlap").passed);
}

TEST(ValidationTest, AbsorbGivesWhatOneValidatorSeeingEverythingGives) {
  ValidationOptions o;
  o.canary_words = {"search", "zebra"};
  const char* records[][2] = {
      {"spelling",
       R"({"word":"zebra","frequency":70,"doc_frequency":7,"variants":["zebar"],"version":"v"})"},
      {"corrections", R"({"variant":"aa","word":"search","score":0.5,"version":"v"})"},
      {"corrections", R"({"variant":"search","word":"aa","score":0.5,"version":"v"})"},
      {"phrases", R"({"phrase":"new york","words":2,"count":3,"score":1.5,"version":"v"})"},
      {"phrases", R"({"phrase":"","words":2,"count":3,"score":0.5,"version":"v"})"},
  };
  auto one = Clean(o);
  auto main = Clean(o);
  VersionValidator side(main.options());
  for (const auto& [lexicon, record] : records) {
    one.Observe(lexicon, record);
    side.Observe(lexicon, record);
  }
  main.Absorb(side);
  const ValidationReport a = one.Finish(Sizes(3), nullptr);
  const ValidationReport b = main.Finish(Sizes(3), nullptr);
  EXPECT_FALSE(b.passed());
  ASSERT_EQ(a.gates.size(), b.gates.size());
  for (size_t i = 0; i < a.gates.size(); ++i) {
    EXPECT_EQ(a.gates[i].passed, b.gates[i].passed) << a.gates[i].name;
    EXPECT_EQ(a.gates[i].failures, b.gates[i].failures) << a.gates[i].name;
    // Which member of a cycle is named depends on hash order; the rest is exact.
    if (a.gates[i].name != "no_correction_cycles") {
      EXPECT_EQ(a.gates[i].detail, b.gates[i].detail) << a.gates[i].name;
    }
  }
  EXPECT_EQ(GateOf(b, "no_correction_cycles").failures, 1u);
  EXPECT_EQ(GateOf(b, "score_range").failures, 1u);
  EXPECT_EQ(GateOf(b, "clean_terms").failures, 1u);
  EXPECT_EQ(one.TopWords(), main.TopWords());
  EXPECT_THAT(main.TopWords(), ::testing::ElementsAre("search", "zebra", "engine"));
}

TEST(ValidationTest, DisabledGatesPass) {
  ValidationOptions o;
  o.canaries = true;
  o.canary_words = {"zebra"};
  o.canaries = false;
  o.score_range = false;
  auto v = Clean(o);
  v.Observe("corrections", R"({"variant":"a","word":"b","score":7,"version":"v"})");
  ValidationReport r = v.Finish(Sizes(2), nullptr);
  EXPECT_TRUE(r.passed()) << r.FirstFailure();
  EXPECT_EQ(GateOf(r, "canaries").detail, "disabled");
}

}  // namespace
}  // namespace nightjar
