#ifndef NIGHTJAR_LEXICON_SIMD_H_
#define NIGHTJAR_LEXICON_SIMD_H_

// The x86 intrinsics for the kernels' run-time dispatched AVX2 / AVX-512 paths (the build itself
// targets baseline x86-64). Defines NIGHTJAR_HAVE_AVX2_KERNEL where they are available.
#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_* read "uninitialized").
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define NIGHTJAR_HAVE_AVX2_KERNEL 1
#endif

#endif  // NIGHTJAR_LEXICON_SIMD_H_
