#include "lexicon/kernels.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "lexicon/simd.h"

namespace nightjar {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

#ifdef NIGHTJAR_HAVE_AVX2_KERNEL

// Sums of four vectors' lanes, [sum a, sum b, sum c, sum d], in a fixed order.
__attribute__((target("avx2,fma"))) inline __m128 Sum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// Up to 3 rows against up to 4 columns (R x C accumulators): each stored product is the
// 8-lane FMA sum over the first dims8 dimensions, reduced by Sum4, plus the rest in scalar.
template <int R, int C>
__attribute__((target("avx2,fma"))) void Tile(const float* a, const float* b, size_t dims, float* c,
                                              size_t ldc) {
  const size_t dims8 = dims & ~size_t{7};
  __m256 acc[R][C];
  for (int i = 0; i < R; ++i) {
    for (int j = 0; j < C; ++j) acc[i][j] = _mm256_setzero_ps();
  }
  for (size_t k = 0; k < dims8; k += 8) {
    __m256 av[R];
    for (int i = 0; i < R; ++i) av[i] = _mm256_loadu_ps(a + i * dims + k);
    for (int j = 0; j < C; ++j) {
      const __m256 bv = _mm256_loadu_ps(b + j * dims + k);
      for (int i = 0; i < R; ++i) acc[i][j] = _mm256_fmadd_ps(av[i], bv, acc[i][j]);
    }
  }
  for (int i = 0; i < R; ++i) {
    __m256 v[4];
    for (int j = 0; j < 4; ++j) v[j] = j < C ? acc[i][j < C ? j : 0] : _mm256_setzero_ps();
    alignas(16) float sums[4];
    _mm_store_ps(sums, Sum4(v[0], v[1], v[2], v[3]));
    for (int j = 0; j < C; ++j) {
      float tail = 0;
      for (size_t k = dims8; k < dims; ++k) tail += a[i * dims + k] * b[j * dims + k];
      c[static_cast<size_t>(i) * ldc + static_cast<size_t>(j)] = sums[j] + tail;
    }
  }
}

template <int R>
__attribute__((target("avx2,fma"))) void RowTiles(const float* a, const float* b, size_t cols,
                                                  size_t dims, float* c, size_t ldc) {
  size_t j = 0;
  for (; j + 4 <= cols; j += 4) Tile<R, 4>(a, b + j * dims, dims, c + j, ldc);
  for (; j < cols; ++j) Tile<R, 1>(a, b + j * dims, dims, c + j, ldc);
}

__attribute__((target("avx2,fma"))) void Avx2DotProducts(const float* a, size_t rows,
                                                         const float* b, size_t cols, size_t dims,
                                                         float* c, size_t ldc) {
  // Columns in panels that stay in L1 while every row passes over them.
  constexpr size_t kPanel = 16;
  for (size_t j0 = 0; j0 < cols; j0 += kPanel) {
    const size_t n = std::min(kPanel, cols - j0);
    const float* bp = b + j0 * dims;
    size_t r = 0;
    for (; r + 3 <= rows; r += 3) RowTiles<3>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
    for (; r < rows; ++r) RowTiles<1>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
  }
}

// AVX-512 version of Tile: 16-lane accumulators (up to 4 x 4 of the 32 registers) over the
// first dims16 dimensions, each folded to 8 lanes (low half + high half) before Sum4, plus the
// rest in scalar.
template <int R, int C>
__attribute__((target("avx512f,avx2,fma"))) void Tile512(const float* a, const float* b,
                                                         size_t dims, float* c, size_t ldc) {
  const size_t dims16 = dims & ~size_t{15};
  __m512 acc[R][C];
  for (int i = 0; i < R; ++i) {
    for (int j = 0; j < C; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  for (size_t k = 0; k < dims16; k += 16) {
    __m512 av[R];
    for (int i = 0; i < R; ++i) av[i] = _mm512_loadu_ps(a + i * dims + k);
    for (int j = 0; j < C; ++j) {
      const __m512 bv = _mm512_loadu_ps(b + j * dims + k);
      for (int i = 0; i < R; ++i) acc[i][j] = _mm512_fmadd_ps(av[i], bv, acc[i][j]);
    }
  }
  for (int i = 0; i < R; ++i) {
    __m256 v[4];
    for (int j = 0; j < 4; ++j) {
      const __m512 x = acc[i][j < C ? j : 0];
      v[j] = j < C ? _mm256_add_ps(_mm512_castps512_ps256(x),
                                   _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)))
                   : _mm256_setzero_ps();
    }
    alignas(16) float sums[4];
    _mm_store_ps(sums, Sum4(v[0], v[1], v[2], v[3]));
    for (int j = 0; j < C; ++j) {
      float tail = 0;
      for (size_t k = dims16; k < dims; ++k) tail += a[i * dims + k] * b[j * dims + k];
      c[static_cast<size_t>(i) * ldc + static_cast<size_t>(j)] = sums[j] + tail;
    }
  }
}

template <int R>
__attribute__((target("avx512f,avx2,fma"))) void RowTiles512(const float* a, const float* b,
                                                             size_t cols, size_t dims, float* c,
                                                             size_t ldc) {
  size_t j = 0;
  for (; j + 4 <= cols; j += 4) Tile512<R, 4>(a, b + j * dims, dims, c + j, ldc);
  for (; j < cols; ++j) Tile512<R, 1>(a, b + j * dims, dims, c + j, ldc);
}

__attribute__((target("avx512f,avx2,fma"))) void Avx512DotProducts(const float* a, size_t rows,
                                                                   const float* b, size_t cols,
                                                                   size_t dims, float* c,
                                                                   size_t ldc) {
  constexpr size_t kPanel = 16;
  for (size_t j0 = 0; j0 < cols; j0 += kPanel) {
    const size_t n = std::min(kPanel, cols - j0);
    const float* bp = b + j0 * dims;
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) RowTiles512<4>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
    for (; r < rows; ++r) RowTiles512<1>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
  }
}

// Bfloat16 dot products: R x C tiles of 16-lane float accumulators, 32 products per
// instruction (vdpbf16ps), dims a multiple of 32.
template <int R, int C>
__attribute__((target("avx512f,avx512bf16"))) void Bf16Tile(const uint16_t* a, const uint16_t* b,
                                                            size_t dims, float* c, size_t ldc) {
  __m512 acc[R][C];
  for (int i = 0; i < R; ++i) {
    for (int j = 0; j < C; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  for (size_t k = 0; k < dims; k += 32) {
    __m512i av[R];
    for (int i = 0; i < R; ++i) av[i] = _mm512_loadu_si512(a + i * dims + k);
    for (int j = 0; j < C; ++j) {
      const __m512i bv = _mm512_loadu_si512(b + j * dims + k);
      for (int i = 0; i < R; ++i) {
        acc[i][j] = _mm512_dpbf16_ps(acc[i][j], reinterpret_cast<__m512bh>(av[i]),
                                     reinterpret_cast<__m512bh>(bv));
      }
    }
  }
  if constexpr (R == 4 && C == 4) {
    // The sixteen sums reduced together, four rounds of adds over shuffled pairs instead of
    // sixteen separate reductions (which were as much work as the products). Each sum is
    // associated exactly as _mm512_reduce_add_ps associates it: the same floats.
    __m512 v[16];
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) v[4 * i + j] = acc[i][j];
    }
    // 128-bit blocks 0+2 and 1+3 of two vectors side by side, then block pairs, then lanes.
    for (int m = 0; m < 8; ++m) {
      v[m] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                           _mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    }
    for (int m = 0; m < 4; ++m) {
      v[m] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm512_shuffle_f32x4(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    }
    for (int m = 0; m < 2; ++m) {
      v[m] = _mm512_add_ps(_mm512_shuffle_ps(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                           _mm512_shuffle_ps(v[2 * m], v[2 * m + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    }
    const __m512 sums = _mm512_add_ps(_mm512_shuffle_ps(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                      _mm512_shuffle_ps(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
    alignas(64) float out[16];
    _mm512_store_ps(out, sums);
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        c[static_cast<size_t>(i) * ldc + static_cast<size_t>(j)] = out[4 * j + i];  // lane 4j + i
      }
    }
  } else {
    for (int i = 0; i < R; ++i) {
      for (int j = 0; j < C; ++j) {
        c[static_cast<size_t>(i) * ldc + static_cast<size_t>(j)] = _mm512_reduce_add_ps(acc[i][j]);
      }
    }
  }
}

template <int R>
__attribute__((target("avx512f,avx512bf16"))) void Bf16RowTiles(const uint16_t* a,
                                                                const uint16_t* b, size_t cols,
                                                                size_t dims, float* c, size_t ldc) {
  size_t j = 0;
  for (; j + 4 <= cols; j += 4) Bf16Tile<R, 4>(a, b + j * dims, dims, c + j, ldc);
  for (; j < cols; ++j) Bf16Tile<R, 1>(a, b + j * dims, dims, c + j, ldc);
}

__attribute__((target("avx512f,avx512bf16"))) void Avx512Bf16DotProducts(const uint16_t* a,
                                                                         size_t rows,
                                                                         const uint16_t* b,
                                                                         size_t cols, size_t dims,
                                                                         float* c, size_t ldc) {
  constexpr size_t kPanel = 16;
  for (size_t j0 = 0; j0 < cols; j0 += kPanel) {
    const size_t n = std::min(kPanel, cols - j0);
    const uint16_t* bp = b + j0 * dims;
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) Bf16RowTiles<4>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
    for (; r < rows; ++r) Bf16RowTiles<1>(a + r * dims, bp, n, dims, c + r * ldc + j0, ldc);
  }
}

#endif  // NIGHTJAR_HAVE_AVX2_KERNEL

}  // namespace

void PortableDotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims,
                         float* c, size_t ldc) {
  const auto r = static_cast<Eigen::Index>(rows), n = static_cast<Eigen::Index>(cols),
             d = static_cast<Eigen::Index>(dims);
  Eigen::Map<const RowMatrix> ma(a, r, d), mb(b, n, d);
  Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>> mc(c, r, n,
                                                    Eigen::OuterStride<>(static_cast<int>(ldc)));
  mc.noalias() = ma * mb.transpose();
}

bool UseAvx2Kernels() {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return avx2;
#else
  return false;
#endif
}

void DotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims, float* c,
                 size_t ldc) {
  DotProductsWith(BestDotKernel(), a, rows, b, cols, dims, c, ldc);
}

bool HaveBf16DotProducts() {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  static const bool bf16 =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
  return bf16;
#else
  return false;
#endif
}

uint16_t ToBfloat16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>(bits >> 16 | 0x40);  // NaN
  bits += 0x7FFFu + (bits >> 16 & 1u);  // round to nearest, ties to even
  return static_cast<uint16_t>(bits >> 16);
}

void Bf16DotProducts(const uint16_t* a, size_t rows, const uint16_t* b, size_t cols, size_t dims,
                     float* c, size_t ldc) {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  if (rows == 0 || cols == 0 || !HaveBf16DotProducts()) return;
  Avx512Bf16DotProducts(a, rows, b, cols, dims, c, ldc);
#endif
}

DotKernel BestDotKernel() {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  static const DotKernel best = __builtin_cpu_supports("avx512f") && UseAvx2Kernels()
                                    ? DotKernel::kAvx512
                                : UseAvx2Kernels() ? DotKernel::kAvx2
                                                   : DotKernel::kPortable;
  return best;
#else
  return DotKernel::kPortable;
#endif
}

void DotProductsWith(DotKernel kernel, const float* a, size_t rows, const float* b, size_t cols,
                     size_t dims, float* c, size_t ldc) {
  if (rows == 0 || cols == 0) return;
  if (static_cast<int>(kernel) > static_cast<int>(BestDotKernel())) kernel = BestDotKernel();
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  if (kernel == DotKernel::kAvx512) {
    Avx512DotProducts(a, rows, b, cols, dims, c, ldc);
    return;
  }
  if (kernel == DotKernel::kAvx2) {
    Avx2DotProducts(a, rows, b, cols, dims, c, ldc);
    return;
  }
#endif
  PortableDotProducts(a, rows, b, cols, dims, c, ldc);
}

}  // namespace nightjar
