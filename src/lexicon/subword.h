#ifndef NIGHTJAR_LEXICON_SUBWORD_H_
#define NIGHTJAR_LEXICON_SUBWORD_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace nightjar {

// Character n-gram profiles of unit texts (words and phrases), as in fastText's subword
// vectors: each text padded with '<' and '>' and cut into its distinct n-grams of n_min..n_max
// characters. Related-term ranking mixes their overlap with the distributional cosine, so that
// "trades" and "trader" rank high for "trade" when their contexts already agree. Immutable once
// built; thread-safe to query.
class SubwordProfiles {
 public:
  SubwordProfiles() = default;
  SubwordProfiles(const std::vector<std::string_view>& texts, int n_min, int n_max);

  // Cosine between the n-gram sets of units a and b: |A ∩ B| / sqrt(|A| |B|), in [0, 1];
  // 0 when either has none.
  float Similarity(uint32_t a, uint32_t b) const;
  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }

  // Unit u's n-gram set as a `dims`-dimensional L2-normalized vector: the sum of one random
  // +-1 vector per n-gram (a sign random projection, seeded by the n-gram's hash), so that dot
  // products approximate Similarity() (error about 1/sqrt(dims)). Row-major, one row per unit.
  std::vector<float> Project(int dims) const;

 private:
  std::vector<uint32_t> offsets_;  // unit u's grams are grams_[offsets_[u], offsets_[u + 1])
  std::vector<uint64_t> grams_;    // sorted, distinct n-gram hashes per unit
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_SUBWORD_H_
