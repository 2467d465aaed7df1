#ifndef NIGHTJAR_LEXICON_RELATED_H_
#define NIGHTJAR_LEXICON_RELATED_H_

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "count/cooccurrence_counter.h"
#include "lexicon/subword.h"

namespace nightjar {

// How related terms are computed. Every field has a default.
struct RelatedOptions {
  int top_k = 10000;                // most frequent units (words and phrases) that get vectors
  int dimensions = 128;             // SVD rank
  int top_n = 10;                   // related terms kept per term
  double min_score = 0.25;          // similarity below it: not related
  double context_smoothing = 0.75;  // context distribution smoothing exponent (Levy et al. 2015)
  double eigen_weight = 0.5;        // vectors are U * Sigma^eigen_weight
  int power_iterations = 2;         // randomized SVD subspace iterations
  uint64_t seed = 1;                // of the random projection (results are deterministic)
  // Share of the similarity that comes from character n-grams (fastText's subword bias: it
  // brings inflections and derivations); the rest is the distributional cosine. 0 = none.
  double subword_weight = 0.5;
  int subword_dimensions = 128;  // size of the n-gram sets' random projection
  int subword_min_n = 3;         // n-gram lengths in characters, boundary markers included
  int subword_max_n = 5;
};

// Unit vectors, one row per unit, L2-normalized (zero rows for units with no contexts).
// One unit's related terms, best first: the related lexicon's entry.
struct RelatedEntry {
  std::string term;
  std::vector<std::pair<std::string, float>> related;
  // Per related term, its distributional cosine alone (the score without the n-gram share).
  std::vector<float> distributional;
};

using UnitVectors = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// PPMI over windowed co-occurrence counts of `units` units (CooccurrenceCounts::pairs: rows
// the smaller unit of each pair, columns the larger; flushed), reduced
// by randomized SVD (Halko, Martinsson & Tropp 2011). A pure function of the counts and options:
// the sparse products run on `threads` threads, each on its own rows, with the same floats
// whatever the count. Takes the pair counts, and frees them as soon as the PPMI matrix holds
// them, before the matrix's transposes and the dense steps peak.
UnitVectors BuildUnitVectors(uint32_t units, SortedPairCounts pairs, const RelatedOptions& options,
                             int threads = 1);

// Row r (< rows) of the result is the sum, over the counts (r, u, n) of `weights` (flushed), of
// n * vectors.row(u): e.g. a spelling word's context vector from its context counts. Units u
// must be rows of `vectors`; counts of rows >= `rows` are ignored. Each row's terms are added in
// unit order, on `threads` threads (each on its own rows).
UnitVectors WeightedRowSums(uint32_t rows, const SortedPairCounts& weights,
                            const UnitVectors& vectors, int threads = 1);

// Vectors whose cosines are (1 - w) * the distributional cosine + w * (approximately) the
// n-gram set similarity of the units' texts, w = options.subword_weight: the distributional
// vectors scaled by sqrt(1 - w), side by side with the n-gram sets' random projections scaled
// by sqrt(w). A unit without contexts keeps a zero row. `texts` holds one text per unit.
UnitVectors MixSubwordVectors(const UnitVectors& distributional,
                              const std::vector<std::string_view>& texts,
                              const RelatedOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_RELATED_H_
