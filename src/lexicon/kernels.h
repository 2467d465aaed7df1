#ifndef NIGHTJAR_LEXICON_KERNELS_H_
#define NIGHTJAR_LEXICON_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace nightjar {

// c[r * ldc + j] = dot(a + r * dims, b + j * dims) for r < rows, j < cols: all dot products of
// `rows` row-major vectors with `cols` others (C = A B^T), in float. Uses the best kernel the
// CPU has (checked once at run time; the build targets baseline x86-64): AVX-512, AVX2+FMA, or
// Eigen's portable product; they may differ in the last bits. The AVX kernels sum each product
// in the same order wherever it falls, so their results do not depend on how a caller splits
// the work into blocks. Pure; thread-safe.
void DotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims, float* c,
                 size_t ldc);

// DotProducts' kernels, worst to best.
enum class DotKernel { kPortable, kAvx2, kAvx512 };
// The kernel DotProducts uses on this machine.
DotKernel BestDotKernel();
// DotProducts with `kernel`, or the best the CPU has if that is not available: for tests and
// comparisons.
void DotProductsWith(DotKernel kernel, const float* a, size_t rows, const float* b, size_t cols,
                     size_t dims, float* c, size_t ldc);

// Whether Bf16DotProducts runs on this machine (AVX512-BF16).
bool HaveBf16DotProducts();
// `x` as a bfloat16 (the top half of its float bits), rounded to nearest, ties to even.
uint16_t ToBfloat16(float x);
// Bf16 error bound: each product of Bf16DotProducts is within kBf16DotError * sum |a_i b_i| of
// the exact dot product of the float vectors the bfloat16 ones were rounded from (each input
// rounding is within 2^-8 relative; products are exact in float; the float sums add under
// 2^-14).
inline constexpr double kBf16DotError = 1.0 / 128 + 1.0 / 4096;
// As DotProducts, for vectors of bfloat16 (ToBfloat16) whose length `dims` is a multiple of 32,
// summed in float: an approximation within kBf16DotError, at twice the products per
// instruction and half the memory of DotProducts. Does nothing unless HaveBf16DotProducts().
// Pure; thread-safe.
void Bf16DotProducts(const uint16_t* a, size_t rows, const uint16_t* b, size_t cols, size_t dims,
                     float* c, size_t ldc);

// y[r] = sum over row r's cells e of values[e] * x[inner[e]], for r < rows: a sparse matrix in
// compressed rows (outer: rows + 1 offsets into inner and values; it may point into a larger
// matrix's offsets, for a band of its rows) times the row-major dense
// matrix x (rows of `cols` floats), into the row-major y (overwritten). Each cell adds a scaled
// dense row; the kernel prefetches the rows of cells a few places ahead, since x rarely fits in
// cache. AVX2+FMA when the CPU has it (AVX-512 for panels of 32 columns: the same floats).
// Pure; thread-safe.
void SparseTimesDense(const int* outer, const int* inner, const float* values, size_t rows,
                      const float* x, size_t cols, float* y);

// SparseTimesDense without the 32-column AVX-512 panels: for tests, which check that both give
// the same floats.
void NarrowPanelSparseTimesDense(const int* outer, const int* inner, const float* values,
                                 size_t rows, const float* x, size_t cols, float* y);

// y[i] += alpha * x[i] for i < n. AVX2+FMA when the CPU has it. Pure; thread-safe.
void AddScaled(float alpha, const float* x, float* y, size_t n);

// Whether the kernels above run their AVX2+FMA versions on this machine.
bool UseAvx2Kernels();

// The portable paths (Eigen for the dot products, plain loops otherwise), whatever the CPU: for
// tests and comparisons.
void PortableDotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims,
                         float* c, size_t ldc);
void PortableSparseTimesDense(const int* outer, const int* inner, const float* values, size_t rows,
                              const float* x, size_t cols, float* y);
void PortableAddScaled(float alpha, const float* x, float* y, size_t n);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_KERNELS_H_
