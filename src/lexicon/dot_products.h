#ifndef NIGHTJAR_LEXICON_DOT_PRODUCTS_H_
#define NIGHTJAR_LEXICON_DOT_PRODUCTS_H_

#include <cstddef>

namespace nightjar {

// c[r * ldc + j] = dot(a + r * dims, b + j * dims) for r < rows, j < cols: all dot products of
// `rows` row-major vectors with `cols` others (C = A B^T), in float. Uses an AVX2+FMA kernel
// when the CPU has it (checked once at run time; the build targets baseline x86-64) and Eigen's
// portable product otherwise; the two may differ in the last bits. The AVX2 kernel sums each
// product in the same order wherever it falls, so its results do not depend on how a caller
// splits the work into blocks. Pure; thread-safe.
void DotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims, float* c,
                 size_t ldc);

// Whether DotProducts uses the AVX2+FMA kernel on this machine.
bool DotProductsUseAvx2();

// DotProducts' portable path (Eigen), whatever the CPU: for tests and comparisons.
void PortableDotProducts(const float* a, size_t rows, const float* b, size_t cols, size_t dims,
                         float* c, size_t ldc);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_DOT_PRODUCTS_H_
