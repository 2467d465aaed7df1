#include "lexicon/kernels.h"

#include <cmath>
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
  for (size_t cols : {1u, 7u, 8u, 19u, 138u}) {
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

}  // namespace
}  // namespace nightjar
