#include "lexicon/nearest.h"

#include <random>

#include "gtest/gtest.h"
#include "lexicon/kernels.h"
#include "lexicon/related.h"

namespace nightjar {
namespace {

// Unit vectors in clusters (so that many pairs clear min_score and compete for the top n), a
// few exact duplicates (ties) and zero rows.
UnitVectors ClusteredVectors(int k, int dims, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  UnitVectors centres(12, dims);
  for (int c = 0; c < centres.rows(); ++c) {
    for (int d = 0; d < dims; ++d) centres(c, d) = normal(rng);
  }
  UnitVectors v(k, dims);
  for (int i = 0; i < k; ++i) {
    if (i % 97 == 5) {
      v.row(i).setZero();
      continue;
    }
    if (i % 13 == 7) {
      v.row(i) = v.row(i - 1);  // a duplicate: exact ties with the same neighbours
      continue;
    }
    for (int d = 0; d < dims; ++d) {
      v(i, d) = centres(i % centres.rows(), d) + 0.8f * normal(rng);
    }
    v.row(i).normalize();
  }
  return v;
}

TEST(NearestUnits, ScreenedSearchGivesTheExactLists) {
  if (!HaveBf16DotProducts()) GTEST_SKIP() << "no AVX512-BF16: the screened search is not used";
  std::mt19937 rng(21);
  for (int dims : {16, 100, 256}) {
    const UnitVectors v = ClusteredVectors(1500, dims, rng);
    RelatedOptions options;
    options.top_n = 10;
    options.min_score = 0.2;
    const auto exact = NearestUnits(v, options, 1, NearestSearch::kExact);
    size_t listed = 0;
    for (const auto& list : exact) listed += list.size();
    ASSERT_GT(listed, 1500u * 5);  // most units have a full list to get right
    for (int threads : {1, 3}) {
      EXPECT_EQ(NearestUnits(v, options, threads, NearestSearch::kScreened), exact)
          << dims << " dims, " << threads << " threads";
    }
  }
}

TEST(NearestUnits, ListsAreBestFirstAboveTheFloorAndSymmetric) {
  std::mt19937 rng(22);
  const UnitVectors v = ClusteredVectors(400, 64, rng);
  RelatedOptions options;
  options.top_n = 5;
  options.min_score = 0.3;
  const auto lists = NearestUnits(v, options, 2);
  for (size_t u = 0; u < lists.size(); ++u) {
    ASSERT_LE(lists[u].size(), 5u);
    for (size_t i = 0; i < lists[u].size(); ++i) {
      const auto [w, s] = lists[u][i];
      EXPECT_NE(w, u);
      EXPECT_GE(s, 0.3f);
      if (i > 0) {
        EXPECT_GE(lists[u][i - 1].second, s);
      }
      // The score is the pair's cosine, whichever side it is listed on.
      EXPECT_NEAR(s, std::clamp(v.row(static_cast<Eigen::Index>(u)).dot(v.row(w)), 0.0f, 1.0f),
                  1e-5);
    }
  }
}

}  // namespace
}  // namespace nightjar
