// The sparse kernels declared in kernels.h: sparse x dense products and scaled adds.
#include <algorithm>
#include <memory>
#include <vector>

#include "lexicon/kernels.h"
#include "lexicon/simd.h"

namespace nightjar {
namespace {

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
