#include "lexicon/nearest.h"

// NearestUnits (nearest.h): every unit's most similar units by cosine.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "lexicon/kernels.h"
#include "util/parallel.h"

namespace nightjar {
namespace {

using Neighbour = std::pair<uint32_t, float>;
using NeighbourLists = std::vector<std::vector<Neighbour>>;

bool Better(const Neighbour& x, const Neighbour& y) {
  return x.second != y.second ? x.second > y.second : x.first < y.first;
}

// Keeps `list` at the best `n` of the neighbours offered to it (unordered).
void OfferBest(std::vector<Neighbour>& list, size_t n, uint32_t id, float score) {
  if (list.size() < n) {
    list.emplace_back(id, score);
    return;
  }
  auto worst =
      std::min_element(list.begin(), list.end(),
                       [](const Neighbour& x, const Neighbour& y) { return Better(y, x); });
  if (worst != list.end() && Better(Neighbour{id, score}, *worst)) *worst = Neighbour{id, score};
}

// A unit's neighbours while screening by approximate scores: every one that might still be
// among its best n once scored exactly. An approximate score is within `margin / 2` of the
// exact one, so a neighbour whose approximate score is more than `margin` below the n-th best
// approximate score seen cannot make the exact top n.
struct Screened {
  std::vector<Neighbour> candidates;  // (id, approximate score)
  std::vector<float> top;             // the n best approximate scores so far, a min-heap
  float floor = -std::numeric_limits<float>::infinity();

  void Offer(size_t n, float margin, uint32_t id, float approx) {
    if (approx < floor || n == 0) return;
    candidates.emplace_back(id, approx);
    if (top.size() < n) {
      top.push_back(approx);
      std::push_heap(top.begin(), top.end(), std::greater<>());
    } else if (approx > top.front()) {
      std::pop_heap(top.begin(), top.end(), std::greater<>());
      top.back() = approx;
      std::push_heap(top.begin(), top.end(), std::greater<>());
    }
    if (top.size() == n) floor = top.front() - margin;
    if (candidates.size() > 4 * n + 16) {
      std::erase_if(candidates, [&](const Neighbour& c) { return c.second < floor; });
    }
  }
};

// True when one of row[0, 16) is >= floor.
inline bool AnyAtLeast16(const float* row, float floor) {
#if defined(__SSE2__)
  const __m128 f = _mm_set1_ps(floor);
  const __m128 m = _mm_or_ps(
      _mm_or_ps(_mm_cmpge_ps(_mm_loadu_ps(row), f), _mm_cmpge_ps(_mm_loadu_ps(row + 4), f)),
      _mm_or_ps(_mm_cmpge_ps(_mm_loadu_ps(row + 8), f), _mm_cmpge_ps(_mm_loadu_ps(row + 12), f)));
  return _mm_movemask_ps(m) != 0;
#else
  bool any = false;
  for (size_t q = 0; q < 16; ++q) any |= row[q] >= floor;
  return any;
#endif
}

// fn(c, row[c]) for every c in [begin, end) with row[c] >= floor, in order. Nearly every score
// is below the floor: sixteen are compared at once, and only a group holding one is looked at
// score by score.
template <typename Fn>
void ForEachAtLeast(const float* row, size_t begin, size_t end, float floor, const Fn& fn) {
  constexpr size_t kGroup = 16;
  size_t c = begin;
  for (; c + kGroup <= end; c += kGroup) {
    if (!AnyAtLeast16(row + c, floor)) continue;
    for (size_t q = c; q < c + kGroup; ++q) {
      if (row[q] >= floor) fn(q, row[q]);
    }
  }
  for (; c < end; ++c) {
    if (row[c] >= floor) fn(c, row[c]);
  }
}

// Scores every pair of units once: row blocks of kBlock units against the columns from the
// block's start on, in chunks of kChunk columns so that a block's scores stay in cache until
// scanned, on `threads` workers taking blocks in turn. products(start, rows, c0, cols, sims)
// fills sims (rows x cols, row-major) with the scores of units [start, start + rows) against
// [c0, c0 + cols); offer(worker, i, j, score) sees each pair i < j whose score is at least
// `floor`, once. The blocks are fixed, so every score comes out of the same product whatever the
// thread count.
template <typename Products, typename Offer>
void ScanPairs(Eigen::Index k, int threads, float floor, const Products& products,
               const Offer& offer) {
  constexpr Eigen::Index kBlock = 256, kChunk = 1024;
  std::atomic<Eigen::Index> next{0};
  auto work = [&](int t) {
    std::vector<float> sims(static_cast<size_t>(kBlock * kChunk));
    for (Eigen::Index start; (start = next.fetch_add(kBlock)) < k;) {
      const Eigen::Index rows = std::min(kBlock, k - start);
      for (Eigen::Index c0 = start; c0 < k; c0 += kChunk) {
        const Eigen::Index cols = std::min(kChunk, k - c0);
        products(start, rows, c0, cols, sims.data());
        for (Eigen::Index r = 0; r < rows; ++r) {
          const auto i = static_cast<uint32_t>(start + r);
          const float* row = sims.data() + r * cols;
          // Only pairs (i, j) with j > i: the others are offered from row j.
          ForEachAtLeast(row, static_cast<size_t>(std::max<Eigen::Index>(0, start + r + 1 - c0)),
                         static_cast<size_t>(cols), floor, [&](size_t c, float score) {
                           offer(t, i, static_cast<uint32_t>(c0 + static_cast<Eigen::Index>(c)),
                                 score);
                         });
        }
      }
    }
  };
  ParallelFor(threads, work);
}

// Sorts each list best first, cuts it to n and clamps its scores into [0, 1].
void Finish(NeighbourLists& lists, size_t n) {
  for (auto& list : lists) {
    std::sort(list.begin(), list.end(), Better);
    if (list.size() > n) list.resize(n);
    for (auto& x : list) x.second = std::clamp(x.second, 0.0f, 1.0f);
  }
}

NeighbourLists ExactNearest(const UnitVectors& vectors, size_t top_n, float min_score,
                            int workers) {
  const Eigen::Index k = vectors.rows();
  const auto dims = static_cast<size_t>(vectors.cols());
  // best[t][u]: worker t's best neighbours of u so far, at most top_n, unordered.
  std::vector<NeighbourLists> best(static_cast<size_t>(workers),
                                   NeighbourLists(static_cast<size_t>(k)));
  ScanPairs(
      k, workers, min_score,
      [&](Eigen::Index start, Eigen::Index rows, Eigen::Index c0, Eigen::Index cols, float* sims) {
        DotProducts(vectors.row(start).data(), static_cast<size_t>(rows), vectors.row(c0).data(),
                    static_cast<size_t>(cols), dims, sims, static_cast<size_t>(cols));
      },
      [&](int t, uint32_t i, uint32_t j, float s) {
        auto& mine = best[static_cast<size_t>(t)];
        OfferBest(mine[i], top_n, j, s);
        OfferBest(mine[j], top_n, i, s);
      });
  NeighbourLists out(static_cast<size_t>(k));
  for (size_t u = 0; u < out.size(); ++u) {
    for (auto& per_worker : best) {
      out[u].insert(out[u].end(), per_worker[u].begin(), per_worker[u].end());
    }
  }
  Finish(out, top_n);
  return out;
}

// The same lists as ExactNearest: pairs are screened by bfloat16 scores (twice the products per
// instruction), and the survivors scored again exactly by the same float kernel.
NeighbourLists ScreenedNearest(const UnitVectors& vectors, size_t top_n, float min_score,
                               int workers) {
  const Eigen::Index k = vectors.rows();
  const auto dims = static_cast<size_t>(vectors.cols());
  const size_t padded = (dims + 31) / 32 * 32;
  std::vector<uint16_t> half(static_cast<size_t>(k) * padded, 0);
  double max_norm = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    max_norm = std::max(max_norm, static_cast<double>(vectors.row(i).norm()));
    for (size_t d = 0; d < dims; ++d) {
      half[static_cast<size_t>(i) * padded + d] =
          ToBfloat16(vectors(i, static_cast<Eigen::Index>(d)));
    }
  }
  // |approximate - exact| <= kBf16DotError * sum |a_i b_i| <= kBf16DotError * |a| |b|; the float
  // norms and scores are off by far less than the extra 1%.
  const auto error = static_cast<float>(kBf16DotError * max_norm * max_norm * 1.01);
  std::vector<std::vector<Screened>> screened(static_cast<size_t>(workers),
                                              std::vector<Screened>(static_cast<size_t>(k)));
  ScanPairs(
      k, workers, min_score - error,
      [&](Eigen::Index start, Eigen::Index rows, Eigen::Index c0, Eigen::Index cols, float* sims) {
        Bf16DotProducts(half.data() + static_cast<size_t>(start) * padded,
                        static_cast<size_t>(rows), half.data() + static_cast<size_t>(c0) * padded,
                        static_cast<size_t>(cols), padded, sims, static_cast<size_t>(cols));
      },
      [&](int t, uint32_t i, uint32_t j, float approx) {
        auto& mine = screened[static_cast<size_t>(t)];
        mine[i].Offer(top_n, 2 * error, j, approx);
        mine[j].Offer(top_n, 2 * error, i, approx);
      });
  NeighbourLists out(static_cast<size_t>(k));
  for (size_t u = 0; u < out.size(); ++u) {
    for (auto& per_worker : screened) {
      for (const auto& [v, approx] : per_worker[u].candidates) {
        // The product ExactNearest would have formed (the kernels give a pair the same float
        // wherever it falls, and either order).
        float s = 0;
        DotProducts(vectors.row(static_cast<Eigen::Index>(u)).data(), 1, vectors.row(v).data(), 1,
                    dims, &s, 1);
        if (s >= min_score) OfferBest(out[u], top_n, v, s);
      }
      per_worker[u] = Screened();
    }
  }
  Finish(out, top_n);
  return out;
}

}  // namespace

std::vector<std::vector<std::pair<uint32_t, float>>> NearestUnits(const UnitVectors& vectors,
                                                                  const RelatedOptions& options,
                                                                  int threads,
                                                                  NearestSearch search) {
  const size_t top_n = static_cast<size_t>(std::max(0, options.top_n));
  const auto min_score = static_cast<float>(options.min_score);
  const int workers = std::max(1, threads);
  // Screening needs the bfloat16 kernel, and the float kernel's split-invariance for the
  // rescoring to reproduce the exact scores.
  if (search == NearestSearch::kScreened && HaveBf16DotProducts() &&
      BestDotKernel() != DotKernel::kPortable) {
    return ScreenedNearest(vectors, top_n, min_score, workers);
  }
  return ExactNearest(vectors, top_n, min_score, workers);
}

}  // namespace nightjar
