#include "lexicon/subword.h"

#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "lexicon/nearest.h"
#include "lexicon/related.h"

namespace nightjar {
namespace {

TEST(SubwordProfiles, OverlapOfCharacterNgrams) {
  const std::vector<std::string_view> texts = {"trade", "trades", "market", "trade", "", "ab"};
  const SubwordProfiles p(texts, 3, 5);
  EXPECT_FLOAT_EQ(p.Similarity(0, 3), 1.0f);  // the same text
  EXPECT_GT(p.Similarity(0, 1), 0.5f);        // an inflection shares most n-grams
  EXPECT_EQ(p.Similarity(0, 2), 0.0f);        // nothing in common
  EXPECT_EQ(p.Similarity(0, 4), 0.0f);        // "<>" has no 3-gram
  EXPECT_FLOAT_EQ(p.Similarity(5, 5), 1.0f);  // "<ab>": two 3-grams and one 4-gram
  EXPECT_FLOAT_EQ(p.Similarity(0, 1), p.Similarity(1, 0));
}

TEST(SubwordProfiles, CountsCharactersNotBytes) {
  const std::vector<std::string_view> texts = {"caf\u00e9", "cafe"};
  const SubwordProfiles p(texts, 3, 3);
  // <ca caf af\u00e9 f\u00e9> against <ca caf afe fe>: two of four in common.
  EXPECT_FLOAT_EQ(p.Similarity(0, 1), 0.5f);
}

TEST(SubwordProfiles, ProjectionApproximatesSimilarity) {
  const std::vector<std::string_view> texts = {"purchase", "purchases", "refinance", "purchased"};
  const SubwordProfiles p(texts, 3, 5);
  const int dims = 4096;  // error about 1/64
  const std::vector<float> v = p.Project(dims);
  for (uint32_t a = 0; a < texts.size(); ++a) {
    for (uint32_t b = 0; b < texts.size(); ++b) {
      float dot = 0;
      for (int i = 0; i < dims; ++i) dot += v[a * dims + i] * v[b * dims + i];
      EXPECT_NEAR(dot, p.Similarity(a, b), 0.06) << texts[a] << " " << texts[b];
    }
  }
}

// Unit 0's neighbours 1 and 2 have the same distributional cosine; only 2 shares its spelling.
TEST(MixSubwordVectors, SharedNgramsRankFirstAndUnitsWithoutContextsStayEmpty) {
  UnitVectors v(4, 2);
  v << 1.0f, 0.0f,  //
      0.8f, 0.6f,   //
      0.8f, -0.6f,  //
      0.0f, 0.0f;
  const std::vector<std::string_view> texts = {"purchase", "refinance", "purchases", "purchased"};
  RelatedOptions options;
  options.subword_weight = 0.5;
  options.subword_dimensions = 1024;
  options.min_score = 0.1;
  const UnitVectors mixed = MixSubwordVectors(v, texts, options);
  ASSERT_EQ(mixed.cols(), 2 + 1024);
  EXPECT_NEAR(mixed.row(0).norm(), 1.0f, 1e-4);
  EXPECT_EQ(mixed.row(3).squaredNorm(), 0.0f);  // no contexts, whatever its spelling
  const auto nearest = NearestUnits(mixed, options, 1);
  ASSERT_EQ(nearest[0].size(), 2u);
  EXPECT_EQ(nearest[0][0].first, 2u);
  EXPECT_EQ(nearest[0][1].first, 1u);
  const SubwordProfiles p(texts, 3, 5);
  EXPECT_NEAR(nearest[0][0].second, 0.5f * 0.8f + 0.5f * p.Similarity(0, 2), 0.05);
  EXPECT_NEAR(nearest[0][1].second, 0.5f * 0.8f, 0.05);
}

}  // namespace
}  // namespace nightjar
