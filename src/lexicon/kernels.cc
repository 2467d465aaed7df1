#include "lexicon/kernels.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_* read "uninitialized").
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define NIGHTJAR_HAVE_AVX2_KERNEL 1
#endif

namespace nightjar {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A float buffer whose data() is cache-line aligned, for aligned vector loads.
class AlignedFloats {
 public:
  explicit AlignedFloats(size_t n) : storage_(n + 16) {
    void* p = storage_.data();
    size_t space = storage_.size() * sizeof(float);
    data_ = static_cast<float*>(std::align(64, n * sizeof(float), p, space));
  }
  float* data() const { return data_; }

 private:
  std::vector<float> storage_;
  float* data_;
};

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

__attribute__((target("avx2,fma"))) inline void Avx2AddScaled(float alpha, const float* x, float* y,
                                                              size_t n) {
  const __m256 a = _mm256_set1_ps(alpha);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += alpha * x[i];
}

// One panel of 16 columns: y[r][0, n) for every row r, from xp (x's rows, 16 floats each, n of
// them used). A full panel sums a row's cells in four interleaved FMA chains, added together
// at the end; a narrower one (the last, when the columns are not a multiple of 16) sums them
// in order, the lanes past the last multiple of 8 columns adding separately rounded products
// as Avx2AddScaled's scalar tail does. Deterministic either way.
__attribute__((target("avx2,fma"))) void Avx2SparsePanel(const int* outer, const int* inner,
                                                         const float* values, size_t rows,
                                                         const float* xp, size_t n, float* y,
                                                         size_t ldy) {
  constexpr int kAhead = 16;
  const int end = outer[rows];
  const bool fma_hi = n >= 16;  // else the upper 8 lanes are (partly) a scalar tail
  float tail[16];
  for (size_t r = 0; r < rows; ++r) {
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    int e = outer[r];
    if (n == 16) {
      // A full panel: four cells at a time into four pairs of sums, so that the additions of a
      // long row are four independent chains instead of one waiting on the last (an FMA's
      // latency is four of its issue slots). Summed in a fixed order: deterministic.
      __m256 lo1 = lo, hi1 = hi, lo2 = lo, hi2 = hi, lo3 = lo, hi3 = hi;
      for (; e + 4 <= outer[r + 1]; e += 4) {
        if (e + kAhead + 3 < end) {
          for (int k = 0; k < 4; ++k) {
            __builtin_prefetch(xp + static_cast<size_t>(inner[e + kAhead + k]) * 16);
          }
        }
        const float* x0 = xp + static_cast<size_t>(inner[e]) * 16;
        const float* x1 = xp + static_cast<size_t>(inner[e + 1]) * 16;
        const float* x2 = xp + static_cast<size_t>(inner[e + 2]) * 16;
        const float* x3 = xp + static_cast<size_t>(inner[e + 3]) * 16;
        const __m256 v0 = _mm256_set1_ps(values[e]), v1 = _mm256_set1_ps(values[e + 1]),
                     v2 = _mm256_set1_ps(values[e + 2]), v3 = _mm256_set1_ps(values[e + 3]);
        lo = _mm256_fmadd_ps(v0, _mm256_load_ps(x0), lo);
        hi = _mm256_fmadd_ps(v0, _mm256_load_ps(x0 + 8), hi);
        lo1 = _mm256_fmadd_ps(v1, _mm256_load_ps(x1), lo1);
        hi1 = _mm256_fmadd_ps(v1, _mm256_load_ps(x1 + 8), hi1);
        lo2 = _mm256_fmadd_ps(v2, _mm256_load_ps(x2), lo2);
        hi2 = _mm256_fmadd_ps(v2, _mm256_load_ps(x2 + 8), hi2);
        lo3 = _mm256_fmadd_ps(v3, _mm256_load_ps(x3), lo3);
        hi3 = _mm256_fmadd_ps(v3, _mm256_load_ps(x3 + 8), hi3);
      }
      lo = _mm256_add_ps(_mm256_add_ps(lo, lo1), _mm256_add_ps(lo2, lo3));
      hi = _mm256_add_ps(_mm256_add_ps(hi, hi1), _mm256_add_ps(hi2, hi3));
    }
    for (; e < outer[r + 1]; ++e) {
      if (e + kAhead < end) __builtin_prefetch(xp + static_cast<size_t>(inner[e + kAhead]) * 16);
      const float* xr = xp + static_cast<size_t>(inner[e]) * 16;
      const __m256 v = _mm256_set1_ps(values[e]);
      if (n >= 8) {
        lo = _mm256_fmadd_ps(v, _mm256_load_ps(xr), lo);
      } else {
        lo = _mm256_add_ps(lo, _mm256_mul_ps(v, _mm256_load_ps(xr)));
      }
      if (fma_hi) {
        hi = _mm256_fmadd_ps(v, _mm256_load_ps(xr + 8), hi);
      } else {
        hi = _mm256_add_ps(hi, _mm256_mul_ps(v, _mm256_load_ps(xr + 8)));
      }
    }
    float* yr = y + r * ldy;
    if (n == 16) {
      _mm256_storeu_ps(yr, lo);
      _mm256_storeu_ps(yr + 8, hi);
    } else {
      _mm256_storeu_ps(tail, lo);
      _mm256_storeu_ps(tail + 8, hi);
      std::copy(tail, tail + n, yr);
    }
  }
}

// Two full 16-column panels at once from rows of 32 floats: lane for lane the sums
// Avx2SparsePanel's full path forms on each half (four chains by cell index, the same tail order,
// (c0 + c1) + (c2 + c3)), so the results are identical; each pass over the matrix's cells then
// serves 32 columns instead of 16.
__attribute__((target("avx512f,avx2,fma"))) void Avx512SparsePanel32(const int* outer,
                                                                     const int* inner,
                                                                     const float* values,
                                                                     size_t rows, const float* xp,
                                                                     float* y, size_t ldy) {
  constexpr int kAhead = 16;
  const int end = outer[rows];
  auto prefetch = [xp](int column) {
    const float* row = xp + static_cast<size_t>(column) * 32;
    __builtin_prefetch(row);
    __builtin_prefetch(row + 16);
  };
  for (size_t r = 0; r < rows; ++r) {
    __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
    __m512 lo1 = lo, hi1 = hi, lo2 = lo, hi2 = hi, lo3 = lo, hi3 = hi;
    int e = outer[r];
    for (; e + 4 <= outer[r + 1]; e += 4) {
      if (e + kAhead + 3 < end) {
        for (int k = 0; k < 4; ++k) prefetch(inner[e + kAhead + k]);
      }
      const float* x0 = xp + static_cast<size_t>(inner[e]) * 32;
      const float* x1 = xp + static_cast<size_t>(inner[e + 1]) * 32;
      const float* x2 = xp + static_cast<size_t>(inner[e + 2]) * 32;
      const float* x3 = xp + static_cast<size_t>(inner[e + 3]) * 32;
      const __m512 v0 = _mm512_set1_ps(values[e]), v1 = _mm512_set1_ps(values[e + 1]),
                   v2 = _mm512_set1_ps(values[e + 2]), v3 = _mm512_set1_ps(values[e + 3]);
      lo = _mm512_fmadd_ps(v0, _mm512_load_ps(x0), lo);
      hi = _mm512_fmadd_ps(v0, _mm512_load_ps(x0 + 16), hi);
      lo1 = _mm512_fmadd_ps(v1, _mm512_load_ps(x1), lo1);
      hi1 = _mm512_fmadd_ps(v1, _mm512_load_ps(x1 + 16), hi1);
      lo2 = _mm512_fmadd_ps(v2, _mm512_load_ps(x2), lo2);
      hi2 = _mm512_fmadd_ps(v2, _mm512_load_ps(x2 + 16), hi2);
      lo3 = _mm512_fmadd_ps(v3, _mm512_load_ps(x3), lo3);
      hi3 = _mm512_fmadd_ps(v3, _mm512_load_ps(x3 + 16), hi3);
    }
    lo = _mm512_add_ps(_mm512_add_ps(lo, lo1), _mm512_add_ps(lo2, lo3));
    hi = _mm512_add_ps(_mm512_add_ps(hi, hi1), _mm512_add_ps(hi2, hi3));
    for (; e < outer[r + 1]; ++e) {
      if (e + kAhead < end) prefetch(inner[e + kAhead]);
      const float* xr = xp + static_cast<size_t>(inner[e]) * 32;
      const __m512 v = _mm512_set1_ps(values[e]);
      lo = _mm512_fmadd_ps(v, _mm512_load_ps(xr), lo);
      hi = _mm512_fmadd_ps(v, _mm512_load_ps(xr + 16), hi);
    }
    float* yr = y + r * ldy;
    _mm512_storeu_ps(yr, lo);
    _mm512_storeu_ps(yr + 16, hi);
  }
}

bool UseAvx512SparsePanels() {
  static const bool avx512 = __builtin_cpu_supports("avx512f") && UseAvx2Kernels();
  return avx512;
}

__attribute__((target("avx2,fma"))) void Avx2SparseTimesDense(const int* outer, const int* inner,
                                                              const float* values, size_t rows,
                                                              const float* x, size_t cols, float* y,
                                                              bool wide_panels) {
  // x is read at random rows. Copied into panels of 16 columns (one cache line per row), the
  // panel being summed is a sixteenth of x per row and stays in L2 where x as a whole would
  // not: each cell then costs an L2 hit per panel rather than several L3 misses. With AVX-512,
  // panels of 32 columns (two lines per row) where the columns allow, and 16 for the rest: the
  // same sums, in half the passes over the cells.
  size_t x_rows = 0;
  for (int e = outer[0]; e < outer[rows]; ++e) {
    x_rows = std::max(x_rows, static_cast<size_t>(inner[e]) + 1);
  }
  const size_t wide = wide_panels && UseAvx512SparsePanels() ? cols / 32 * 32 : 0;
  const AlignedFloats xp(x_rows * (wide > 0 ? 32 : 16));
  for (size_t c0 = 0; c0 < wide; c0 += 32) {
    for (size_t i = 0; i < x_rows; ++i) {
      std::copy(x + i * cols + c0, x + i * cols + c0 + 32, xp.data() + i * 32);
    }
    Avx512SparsePanel32(outer, inner, values, rows, xp.data(), y + c0, cols);
  }
  constexpr size_t kPanel = 16;
  for (size_t c0 = wide; c0 < cols; c0 += kPanel) {
    const size_t n = std::min(kPanel, cols - c0);
    for (size_t i = 0; i < x_rows; ++i) {
      float* to = xp.data() + i * kPanel;
      std::copy(x + i * cols + c0, x + i * cols + c0 + n, to);
      std::fill(to + n, to + kPanel, 0.0f);
    }
    Avx2SparsePanel(outer, inner, values, rows, xp.data(), n, y + c0, cols);
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

void PortableSparseTimesDense(const int* outer, const int* inner, const float* values, size_t rows,
                              const float* x, size_t cols, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    float* yr = y + r * cols;
    std::fill(yr, yr + cols, 0.0f);
    for (int e = outer[r]; e < outer[r + 1]; ++e) {
      PortableAddScaled(values[e], x + static_cast<size_t>(inner[e]) * cols, yr, cols);
    }
  }
}

void PortableAddScaled(float alpha, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
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

void SparseTimesDense(const int* outer, const int* inner, const float* values, size_t rows,
                      const float* x, size_t cols, float* y) {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  if (UseAvx2Kernels()) {
    Avx2SparseTimesDense(outer, inner, values, rows, x, cols, y, /*wide_panels=*/true);
    return;
  }
#endif
  PortableSparseTimesDense(outer, inner, values, rows, x, cols, y);
}

void NarrowPanelSparseTimesDense(const int* outer, const int* inner, const float* values,
                                 size_t rows, const float* x, size_t cols, float* y) {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  if (UseAvx2Kernels()) {
    Avx2SparseTimesDense(outer, inner, values, rows, x, cols, y, /*wide_panels=*/false);
    return;
  }
#endif
  PortableSparseTimesDense(outer, inner, values, rows, x, cols, y);
}

void AddScaled(float alpha, const float* x, float* y, size_t n) {
#ifdef NIGHTJAR_HAVE_AVX2_KERNEL
  if (UseAvx2Kernels()) {
    Avx2AddScaled(alpha, x, y, n);
    return;
  }
#endif
  PortableAddScaled(alpha, x, y, n);
}

}  // namespace nightjar
