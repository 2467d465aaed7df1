#include "lexicon/related.h"

#include <Eigen/Sparse>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "lexicon/kernels.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

using Dense = Eigen::MatrixXf;
using RowDense = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Sparse = Eigen::SparseMatrix<float, Eigen::RowMajor>;

Sparse PpmiMatrix(uint32_t k, const CooccurrenceCounts& counts, double alpha) {
  std::vector<double> row(k, 0.0);
  double total = 0;
  counts.pairs.ForEach([&](uint64_t key, uint64_t n) {
    const auto a = static_cast<uint32_t>(key >> 32), b = static_cast<uint32_t>(key);
    if (a >= k || b >= k) return;
    row[a] += static_cast<double>(n);
    row[b] += static_cast<double>(n);
    total += 2.0 * static_cast<double>(n);
  });
  double smoothed_total = 0;
  std::vector<double> ctx(k);
  for (uint32_t i = 0; i < k; ++i) smoothed_total += (ctx[i] = std::pow(row[i], alpha));
  // PMI(a, b) = log(p_ab / (p_a * p_ctx(b))) = log n - log row[a] - log ctx[b] + log smoothed
  // total (the corpus total cancels): per-unit logarithms and a table of log n for the usual
  // small counts leave no logarithm per pair.
  std::vector<double> log_row(k), log_ctx(k);
  for (uint32_t i = 0; i < k; ++i) {
    log_row[i] = row[i] > 0 ? std::log(row[i]) : 0.0;
    log_ctx[i] = ctx[i] > 0 ? std::log(ctx[i]) - std::log(smoothed_total) : 0.0;
  }
  constexpr uint64_t kTable = 4096;
  std::vector<double> log_n(kTable);
  for (uint64_t n = 1; n < kTable; ++n) log_n[n] = std::log(static_cast<double>(n));
  std::vector<Eigen::Triplet<float>> cells;
  cells.reserve(counts.pairs.size() * 2);
  counts.pairs.ForEach([&](uint64_t key, uint64_t n) {
    const auto a = static_cast<uint32_t>(key >> 32), b = static_cast<uint32_t>(key);
    if (a >= k || b >= k || n == 0) return;
    const double ln = n < kTable ? log_n[n] : std::log(static_cast<double>(n));
    // PMI with the smoothed context distribution, in both directions.
    const double ab = ln - log_row[a] - log_ctx[b];
    const double ba = ln - log_row[b] - log_ctx[a];
    if (ab > 0) cells.emplace_back(a, b, static_cast<float>(ab));
    if (ba > 0) cells.emplace_back(b, a, static_cast<float>(ba));
  });
  Sparse m(k, k);
  m.setFromTriplets(cells.begin(), cells.end());
  return m;
}

// An orthonormal basis of y's columns by CholeskyQR2 (Fukaya et al. 2014): two rounds of
// Q = Y R^-1 with R from the Cholesky factor of Y^T Y. Matrix products only, so it runs at GEMM
// speed where Householder QR is bound by its column-by-column sweep; the second round restores
// the orthogonality the first loses to rounding. The Gram matrix is formed in double precision.
Dense Orthonormalize(const Dense& y, int rounds = 2) {
  Dense q = y;
  for (int round = 0; round < rounds; ++round) {
    // Y^T Y is symmetric: a rank update fills one triangle at half a product's cost.
    Eigen::MatrixXf gram_f = Eigen::MatrixXf::Zero(q.cols(), q.cols());
    gram_f.selfadjointView<Eigen::Lower>().rankUpdate(q.transpose());
    Eigen::MatrixXd gram = gram_f.selfadjointView<Eigen::Lower>().toDenseMatrix().cast<double>();
    gram.diagonal().array() += 1e-10 * std::max(1.0, gram.diagonal().maxCoeff());
    Eigen::LLT<Eigen::MatrixXd> llt(gram);
    const Eigen::MatrixXf upper = llt.matrixU().toDenseMatrix().cast<float>();
    q = upper.triangularView<Eigen::Upper>().solve<Eigen::OnTheRight>(q);
  }
  return q;
}

}  // namespace

UnitVectors BuildUnitVectors(uint32_t units, const CooccurrenceCounts& counts,
                             const RelatedOptions& options) {
  Sparse a = PpmiMatrix(units, counts, options.context_smoothing);
  a.makeCompressed();
  const Eigen::Index k = units;
  const Eigen::Index l = std::min<Eigen::Index>(k, options.dimensions + 10);
  UnitVectors out = UnitVectors::Zero(k, std::min<Eigen::Index>(k, options.dimensions));
  if (k == 0 || a.nonZeros() == 0) return out;

  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> normal;
  Dense omega(k, l);
  for (Eigen::Index j = 0; j < l; ++j) {
    for (Eigen::Index i = 0; i < k; ++i) omega(i, j) = normal(rng);
  }
  // Sparse (row-major) times dense (row-major): each stored cell adds a scaled dense row, a
  // contiguous vectorized axpy. A^T is stored row-major too, rather than read column-wise.
  Sparse at = a.transpose();
  at.makeCompressed();
  auto times = [](const Sparse& m, const Dense& x) -> Dense {
    const RowDense xr = x;
    RowDense y(m.rows(), x.cols());
    SparseTimesDense(m.outerIndexPtr(), m.innerIndexPtr(), m.valuePtr(),
                     static_cast<size_t>(m.rows()), xr.data(), static_cast<size_t>(x.cols()),
                     y.data());
    return y;
  };
  // Between power iterations the basis only has to stay well conditioned, which one CholeskyQR
  // round gives; the last one gets both rounds.
  Dense q = Orthonormalize(times(a, omega), options.power_iterations > 0 ? 1 : 2);
  for (int it = 0; it < options.power_iterations; ++it) {
    q = Orthonormalize(times(at, q), 1);
    q = Orthonormalize(times(a, q), it + 1 == options.power_iterations ? 2 : 1);
  }
  // B = Q^T A (l x k); B B^T = W S^2 W^T gives A ~ (Q W) S V^T.
  const Dense bt = times(at, q);  // k x l = B^T
  const Dense gram = bt.transpose() * bt;
  Eigen::SelfAdjointEigenSolver<Dense> eig(gram);
  const Eigen::Index d = out.cols();
  // Eigenvalues ascend; take the largest d.
  Dense w = eig.eigenvectors().rightCols(d).rowwise().reverse();
  Eigen::VectorXf s = eig.eigenvalues().tail(d).reverse().cwiseMax(0.0f).cwiseSqrt();
  Dense u = q * w;
  for (Eigen::Index j = 0; j < d; ++j) {
    u.col(j) *= std::pow(s(j), static_cast<float>(options.eigen_weight));
  }
  out = u;
  for (Eigen::Index i = 0; i < k; ++i) {
    const float norm = out.row(i).norm();
    if (norm > 0) out.row(i) /= norm;
  }
  return out;
}

UnitVectors MixSubwordVectors(const UnitVectors& distributional,
                              const std::vector<std::string_view>& texts,
                              const RelatedOptions& options) {
  const float w = static_cast<float>(std::clamp(options.subword_weight, 0.0, 1.0));
  const Eigen::Index k = distributional.rows(), d = distributional.cols();
  const int sd = std::max(1, options.subword_dimensions);
  const SubwordProfiles profiles(texts, options.subword_min_n, options.subword_max_n);
  const std::vector<float> projected = profiles.Project(sd);
  UnitVectors out = UnitVectors::Zero(k, d + sd);
  for (Eigen::Index i = 0; i < k; ++i) {
    if (distributional.row(i).squaredNorm() == 0) continue;  // no contexts: no neighbours
    out.row(i).head(d) = std::sqrt(1 - w) * distributional.row(i);
    out.row(i).tail(sd) =
        std::sqrt(w) * Eigen::Map<const Eigen::RowVectorXf>(projected.data() + i * sd, sd);
  }
  return out;
}

std::vector<std::vector<std::pair<uint32_t, float>>> NearestUnits(const UnitVectors& vectors,
                                                                  const RelatedOptions& options,
                                                                  int threads) {
  using Neighbour = std::pair<uint32_t, float>;
  const Eigen::Index k = vectors.rows();
  const size_t top_n = static_cast<size_t>(std::max(0, options.top_n));
  const auto min_score = static_cast<float>(options.min_score);
  auto better = [](const Neighbour& x, const Neighbour& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  };
  // Similarity is symmetric, so each pair is scored once: the row block [start, start + rows)
  // against the columns from `start` on, offering each pair to both of its units. The blocks
  // are fixed, so every score comes out of the same product whatever the thread count.
  constexpr Eigen::Index kBlock = 256;
  const int workers = std::max(1, threads);
  // best[t][u]: worker t's best neighbours of u so far, at most top_n, unordered.
  std::vector<std::vector<std::vector<Neighbour>>> best(
      static_cast<size_t>(workers), std::vector<std::vector<Neighbour>>(static_cast<size_t>(k)));
  auto offer = [&](std::vector<Neighbour>& list, uint32_t id, float score) {
    if (list.size() < top_n) {
      list.emplace_back(id, score);
      return;
    }
    auto worst =
        std::min_element(list.begin(), list.end(),
                         [&](const Neighbour& x, const Neighbour& y) { return better(y, x); });
    if (worst != list.end() && better(Neighbour{id, score}, *worst)) *worst = Neighbour{id, score};
  };
  // Columns go through in chunks, so that a block's similarities stay in cache until scanned.
  constexpr Eigen::Index kChunk = 1024;
  const auto dims = static_cast<size_t>(vectors.cols());
  std::atomic<Eigen::Index> next{0};
  auto work = [&](int t) {
    auto& mine = best[static_cast<size_t>(t)];
    std::vector<float> sims(static_cast<size_t>(kBlock * kChunk));
    for (Eigen::Index start; (start = next.fetch_add(kBlock)) < k;) {
      const Eigen::Index rows = std::min(kBlock, k - start);
      for (Eigen::Index c0 = start; c0 < k; c0 += kChunk) {
        const Eigen::Index cols = std::min(kChunk, k - c0);
        DotProducts(vectors.row(start).data(), static_cast<size_t>(rows), vectors.row(c0).data(),
                    static_cast<size_t>(cols), dims, sims.data(), static_cast<size_t>(cols));
        for (Eigen::Index r = 0; r < rows; ++r) {
          const auto i = static_cast<uint32_t>(start + r);
          const float* row = sims.data() + r * cols;
          // Only pairs (i, j) with j > i: the others are offered from row j.
          for (Eigen::Index c = std::max<Eigen::Index>(0, start + r + 1 - c0); c < cols; ++c) {
            const float s = row[c];
            if (s < min_score) continue;
            const auto j = static_cast<uint32_t>(c0 + c);
            offer(mine[i], j, s);
            offer(mine[j], i, s);
          }
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();

  std::vector<std::vector<Neighbour>> out(static_cast<size_t>(k));
  for (size_t u = 0; u < out.size(); ++u) {
    auto& list = out[u];
    for (auto& per_worker : best) {
      list.insert(list.end(), per_worker[u].begin(), per_worker[u].end());
    }
    std::sort(list.begin(), list.end(), better);
    if (list.size() > top_n) list.resize(top_n);
    for (auto& n : list) n.second = std::clamp(n.second, 0.0f, 1.0f);
  }
  return out;
}

std::string RelatedRecordJson(std::string_view word,
                              const std::vector<std::pair<std::string_view, float>>& related,
                              std::string_view version, std::string_view last_updated) {
  JsonWriter w;
  w.BeginObject();
  w.Key("word").String(word);
  w.Key("related_terms").BeginArray();
  for (const auto& [term, score] : related) {
    w.BeginObject().Key("term").String(term);
    w.Key("score").Double(std::round(score * 1e4) / 1e4).EndObject();
  }
  w.EndArray();
  w.Key("version").String(version);
  w.Key("last_updated").String(last_updated);
  w.EndObject();
  return w.Take();
}

}  // namespace nightjar
