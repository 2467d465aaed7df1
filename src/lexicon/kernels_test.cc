#include "lexicon/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

std::vector<float> Random(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// Every DotProducts kernel this machine can run.
std::vector<DotKernel> Kernels() {
  std::vector<DotKernel> out;
  for (DotKernel k : {DotKernel::kPortable, DotKernel::kAvx2, DotKernel::kAvx512}) {
    if (static_cast<int>(k) <= static_cast<int>(BestDotKernel())) out.push_back(k);
  }
  return out;
}

TEST(DotProducts, MatchDoublePrecisionForEveryShape) {
  std::mt19937 rng(3);
  // Shapes around the kernels' tiles (3 or 4 rows, 4 columns, 16-column panels, 8 or 16 lanes).
  for (size_t rows : {1u, 2u, 3u, 4u, 7u, 20u}) {
    for (size_t cols : {1u, 3u, 4u, 5u, 17u, 33u}) {
      for (size_t dims : {1u, 7u, 8u, 9u, 16u, 17u, 64u, 131u}) {
        const auto a = Random(rows * dims, rng), b = Random(cols * dims, rng);
        const size_t ldc = cols + 2;
        for (DotKernel kernel : Kernels()) {
          std::vector<float> c(rows * ldc, -99.0f);
          DotProductsWith(kernel, a.data(), rows, b.data(), cols, dims, c.data(), ldc);
          for (size_t r = 0; r < rows; ++r) {
            for (size_t j = 0; j < ldc; ++j) {
              if (j >= cols) {
                ASSERT_EQ(c[r * ldc + j], -99.0f) << "wrote outside the product";
                continue;
              }
              double want = 0;
              for (size_t k = 0; k < dims; ++k) want += double{a[r * dims + k]} * b[j * dims + k];
              ASSERT_NEAR(c[r * ldc + j], want, 1e-4 * (1 + std::sqrt(double(dims))))
                  << rows << "x" << cols << "x" << dims << " at " << r << "," << j << " kernel "
                  << static_cast<int>(kernel);
            }
          }
        }
      }
    }
  }
}

TEST(DotProducts, SameResultHoweverTheWorkIsSplit) {
  std::mt19937 rng(4);
  const size_t rows = 13, cols = 29, dims = 45;
  const auto a = Random(rows * dims, rng), b = Random(cols * dims, rng);
  for (DotKernel kernel : Kernels()) {
    std::vector<float> whole(rows * cols), pieces(rows * cols);
    DotProductsWith(kernel, a.data(), rows, b.data(), cols, dims, whole.data(), cols);
    // One row and one column at a time: every product lands in a different tile than before.
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < cols; ++j) {
        DotProductsWith(kernel, a.data() + r * dims, 1, b.data() + j * dims, 1, dims,
                        &pieces[r * cols + j], 1);
      }
    }
    if (kernel != DotKernel::kPortable) {
      EXPECT_EQ(whole, pieces) << static_cast<int>(kernel);
    } else {
      for (size_t i = 0; i < whole.size(); ++i) EXPECT_NEAR(whole[i], pieces[i], 1e-4);
    }
  }
}

TEST(SparseTimesDense, MatchesADenseProductBothPaths) {
  std::mt19937 rng(6);
  const size_t rows = 37, inner_dim = 50;
  for (size_t cols : {1u, 7u, 8u, 19u, 32u, 48u, 138u}) {
    // A random sparse matrix (some empty rows), in compressed rows.
    std::vector<int> outer = {0}, inner;
    std::vector<float> values;
    std::vector<double> dense(rows * inner_dim, 0.0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < inner_dim; ++c) {
        if (rng() % 5 != 0 || r % 9 == 4) continue;
        inner.push_back(static_cast<int>(c));
        values.push_back(static_cast<float>(rng() % 1000) / 250.0f - 2.0f);
        dense[r * inner_dim + c] = values.back();
      }
      outer.push_back(static_cast<int>(inner.size()));
    }
    const auto x = Random(inner_dim * cols, rng);
    {
      // Bands of rows (outer pointing into the whole matrix's offsets) give the same floats.
      std::vector<float> whole(rows * cols), banded(rows * cols);
      SparseTimesDense(outer.data(), inner.data(), values.data(), rows, x.data(), cols,
                       whole.data());
      for (size_t r0 = 0; r0 < rows; r0 += 10) {
        const size_t n = std::min<size_t>(10, rows - r0);
        SparseTimesDense(outer.data() + r0, inner.data(), values.data(), n, x.data(), cols,
                         banded.data() + r0 * cols);
      }
      EXPECT_EQ(banded, whole) << cols;
      // Panels of 32 columns (AVX-512) sum as two of 16 do.
      std::vector<float> narrow(rows * cols);
      NarrowPanelSparseTimesDense(outer.data(), inner.data(), values.data(), rows, x.data(), cols,
                                  narrow.data());
      EXPECT_EQ(narrow, whole) << cols;
    }
    for (bool portable : {false, true}) {
      std::vector<float> y(rows * cols, 123.0f);  // overwritten, not added to
      (portable ? PortableSparseTimesDense : SparseTimesDense)(
          outer.data(), inner.data(), values.data(), rows, x.data(), cols, y.data());
      for (size_t r = 0; r < rows; ++r) {
        for (size_t j = 0; j < cols; ++j) {
          double want = 0;
          for (size_t c = 0; c < inner_dim; ++c) want += dense[r * inner_dim + c] * x[c * cols + j];
          ASSERT_NEAR(y[r * cols + j], want, 1e-3) << cols << " " << r << "," << j;
        }
      }
    }
  }
}

TEST(AddScaled, AddsEveryElementBothPaths) {
  std::mt19937 rng(8);
  for (size_t n : {0u, 1u, 8u, 13u, 128u}) {
    const auto x = Random(n, rng), y0 = Random(n, rng);
    for (bool portable : {false, true}) {
      std::vector<float> y = y0;
      (portable ? PortableAddScaled : AddScaled)(0.5f, x.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_NEAR(y[i], y0[i] + 0.5f * x[i], 1e-6);
    }
  }
}

TEST(Bfloat16, RoundsToNearestEven) {
  EXPECT_EQ(ToBfloat16(1.0f), 0x3F80);
  EXPECT_EQ(ToBfloat16(-2.0f), 0xC000);
  EXPECT_EQ(ToBfloat16(0.0f), 0x0000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even significand (1).
  EXPECT_EQ(ToBfloat16(1.0f + 1.0f / 256), 0x3F80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
  EXPECT_EQ(ToBfloat16(1.0f + 3.0f / 256), 0x3F82);
  EXPECT_EQ(ToBfloat16(1.0f + 1.0f / 256 + 1.0f / 4096), 0x3F81);  // above halfway: up
  EXPECT_EQ(ToBfloat16(std::numeric_limits<float>::infinity()), 0x7F80);
  const uint16_t nan = ToBfloat16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7F80, 0x7F80);
  EXPECT_NE(nan & 0x007F, 0);
}

TEST(Bfloat16, DotProductsStayWithinTheErrorBound) {
  if (!HaveBf16DotProducts()) GTEST_SKIP() << "no AVX512-BF16 on this machine";
  std::mt19937 rng(9);
  for (size_t rows : {1u, 3u, 4u, 9u}) {
    for (size_t cols : {1u, 4u, 5u, 18u}) {
      for (size_t dims : {32u, 64u, 256u}) {
        const auto a = Random(rows * dims, rng), b = Random(cols * dims, rng);
        std::vector<uint16_t> ha(a.size()), hb(b.size());
        for (size_t i = 0; i < a.size(); ++i) ha[i] = ToBfloat16(a[i]);
        for (size_t i = 0; i < b.size(); ++i) hb[i] = ToBfloat16(b[i]);
        const size_t ldc = cols + 1;
        std::vector<float> c(rows * ldc, -99.0f);
        Bf16DotProducts(ha.data(), rows, hb.data(), cols, dims, c.data(), ldc);
        double widest = 0;
        for (size_t r = 0; r < rows; ++r) {
          ASSERT_EQ(c[r * ldc + cols], -99.0f) << "wrote outside the product";
          for (size_t j = 0; j < cols; ++j) {
            double exact = 0, magnitude = 0;
            for (size_t k = 0; k < dims; ++k) {
              exact += double{a[r * dims + k]} * b[j * dims + k];
              magnitude += std::abs(double{a[r * dims + k]} * b[j * dims + k]);
            }
            const double error = std::abs(c[r * ldc + j] - exact);
            ASSERT_LE(error, kBf16DotError * magnitude) << rows << "x" << cols << "x" << dims;
            widest = std::max(widest, error / magnitude);
          }
        }
        EXPECT_GT(widest, 0.0);  // bfloat16 really is coarser than float here
      }
    }
  }
}

}  // namespace
}  // namespace nightjar
