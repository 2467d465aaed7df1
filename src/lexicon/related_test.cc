#include "lexicon/related.h"

#include <random>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

SortedPairCounts Weights(uint32_t rows, uint32_t units) {
  SortedPairCounts::Options o;
  o.rows = rows;
  o.columns = units;
  return SortedPairCounts(o);
}

void AddN(SortedPairCounts& c, uint32_t row, uint32_t unit, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) c.Add(row, unit);
}

TEST(WeightedRowSums, EachRowSumsItsUnitsRowsTimesTheirCounts) {
  UnitVectors vectors(3, 2);
  vectors << 1, 0,  //
      0, 1,         //
      1, 1;
  SortedPairCounts weights = Weights(8, 3);
  AddN(weights, 0, 0, 2);
  AddN(weights, 0, 2, 1);
  AddN(weights, 2, 1, 5);
  AddN(weights, 7, 1, 3);  // a row past `rows`: ignored
  weights.Flush();

  const UnitVectors sums = WeightedRowSums(3, weights, vectors);
  ASSERT_EQ(sums.rows(), 3);
  ASSERT_EQ(sums.cols(), 2);
  EXPECT_FLOAT_EQ(sums(0, 0), 3.0f);
  EXPECT_FLOAT_EQ(sums(0, 1), 1.0f);
  EXPECT_FLOAT_EQ(sums(1, 0), 0.0f);  // no cells: a zero row, not stale memory
  EXPECT_FLOAT_EQ(sums(1, 1), 0.0f);
  EXPECT_FLOAT_EQ(sums(2, 0), 0.0f);
  EXPECT_FLOAT_EQ(sums(2, 1), 5.0f);
}

TEST(WeightedRowSums, MatchesDirectSumsForAnyThreadCount) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  constexpr uint32_t kUnits = 50, kRows = 40;
  constexpr int kCols = 37;  // not a multiple of any vector width
  UnitVectors vectors(kUnits, kCols);
  for (Eigen::Index i = 0; i < vectors.size(); ++i) vectors.data()[i] = value(rng);
  SortedPairCounts weights = Weights(kRows, kUnits);
  Eigen::MatrixXd want = Eigen::MatrixXd::Zero(kRows, kCols);
  for (int i = 0; i < 600; ++i) {
    const uint32_t row = rng() % kRows, unit = rng() % kUnits, n = 1 + rng() % 9;
    AddN(weights, row, unit, n);
    want.row(row) += n * vectors.row(unit).cast<double>();
  }
  weights.Flush();
  const UnitVectors one = WeightedRowSums(kRows, weights, vectors, 1);
  for (Eigen::Index r = 0; r < kRows; ++r) {
    for (Eigen::Index c = 0; c < kCols; ++c) EXPECT_NEAR(one(r, c), want(r, c), 1e-4);
  }
  for (int threads : {2, 3, 8}) {
    EXPECT_EQ(WeightedRowSums(kRows, weights, vectors, threads), one) << threads;
  }
}

}  // namespace
}  // namespace nightjar
