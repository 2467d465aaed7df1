#include "lexicon/subword.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

SubwordProfiles::SubwordProfiles(const std::vector<std::string_view>& texts, int n_min, int n_max) {
  offsets_.reserve(texts.size() + 1);
  offsets_.push_back(0);
  std::string padded;
  std::vector<uint32_t> starts;  // byte offset of each character, and the end
  for (std::string_view text : texts) {
    padded.assign(1, '<');
    padded.append(text);
    padded.push_back('>');
    starts.clear();
    for (uint32_t i = 0; i < padded.size(); ++i) {
      if (!IsContinuation(padded[i])) starts.push_back(i);
    }
    const auto chars = static_cast<int>(starts.size());
    starts.push_back(static_cast<uint32_t>(padded.size()));
    const size_t first = grams_.size();
    for (int n = n_min; n <= n_max; ++n) {
      for (int i = 0; i + n <= chars; ++i) {
        const uint32_t b = starts[static_cast<size_t>(i)];
        const uint32_t e = starts[static_cast<size_t>(i) + static_cast<size_t>(n)];
        grams_.push_back(XXH3_64bits(padded.data() + b, e - b));
      }
    }
    const auto begin = grams_.begin() + static_cast<std::ptrdiff_t>(first);
    std::sort(begin, grams_.end());
    grams_.erase(std::unique(begin, grams_.end()), grams_.end());
    offsets_.push_back(static_cast<uint32_t>(grams_.size()));
  }
}

std::vector<float> SubwordProfiles::Project(int dims) const {
  const size_t d = static_cast<size_t>(std::max(dims, 1));
  // signs[b][j]: +1 where bit j of b is set, else -1; eight dimensions added per table row.
  static const auto* const signs = [] {
    auto* t = new std::array<std::array<float, 8>, 256>;  // NOLINT: a leaked constant table
    for (int b = 0; b < 256; ++b) {
      for (int j = 0; j < 8; ++j) (*t)[b][j] = (b >> j) & 1 ? 1.0f : -1.0f;
    }
    return t;
  }();
  std::vector<float> out(size() * d, 0.0f);
  for (size_t u = 0; u < size(); ++u) {
    float* row = out.data() + u * d;
    for (uint32_t g = offsets_[u]; g < offsets_[u + 1]; ++g) {
      uint64_t state = grams_[g];
      for (size_t i = 0; i < d; i += 64) {  // splitmix64: 64 fresh sign bits, one per dimension
        state += 0x9e3779b97f4a7c15ULL;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        uint64_t bits = z ^ (z >> 31);
        const size_t end = std::min(d, i + 64);
        size_t k = i;
        for (; k + 8 <= end; k += 8, bits >>= 8) {
          const auto& add = (*signs)[bits & 0xFF];
          for (size_t j = 0; j < 8; ++j) row[k + j] += add[j];
        }
        for (; k < end; ++k, bits >>= 1) row[k] += (bits & 1) ? 1.0f : -1.0f;
      }
    }
    float norm = 0;
    for (size_t i = 0; i < d; ++i) norm += row[i] * row[i];
    if (norm > 0) {
      const float inv = 1.0f / std::sqrt(norm);
      for (size_t i = 0; i < d; ++i) row[i] *= inv;
    }
  }
  return out;
}

float SubwordProfiles::Similarity(uint32_t a, uint32_t b) const {
  const uint64_t* p = grams_.data() + offsets_[a];
  const uint64_t* p_end = grams_.data() + offsets_[a + 1];
  const uint64_t* q = grams_.data() + offsets_[b];
  const uint64_t* q_end = grams_.data() + offsets_[b + 1];
  const auto na = static_cast<float>(p_end - p), nb = static_cast<float>(q_end - q);
  if (na == 0 || nb == 0) return 0.0f;
  int common = 0;
  while (p != p_end && q != q_end) {
    if (*p < *q) {
      ++p;
    } else if (*q < *p) {
      ++q;
    } else {
      ++common;
      ++p;
      ++q;
    }
  }
  return static_cast<float>(common) / std::sqrt(na * nb);
}

}  // namespace nightjar
