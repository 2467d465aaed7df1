#include "lexicon/related.h"

#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

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
  std::vector<Eigen::Triplet<float>> cells;
  cells.reserve(counts.pairs.size() * 2);
  counts.pairs.ForEach([&](uint64_t key, uint64_t n) {
    const auto a = static_cast<uint32_t>(key >> 32), b = static_cast<uint32_t>(key);
    if (a >= k || b >= k) return;
    const double p_ab = static_cast<double>(n) / total;
    // PMI with the smoothed context distribution, in both directions.
    const double ab = std::log(p_ab / ((row[a] / total) * (ctx[b] / smoothed_total)));
    const double ba = std::log(p_ab / ((row[b] / total) * (ctx[a] / smoothed_total)));
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
Dense Orthonormalize(const Dense& y) {
  Dense q = y;
  for (int round = 0; round < 2; ++round) {
    Eigen::MatrixXd gram = (q.transpose() * q).cast<double>();
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
  const Sparse a = PpmiMatrix(units, counts, options.context_smoothing);
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
  const Sparse at = a.transpose();
  auto times = [](const Sparse& m, const Dense& x) -> Dense {
    const RowDense xr = x;
    const RowDense y = m * xr;
    return y;
  };
  Dense q = Orthonormalize(times(a, omega));
  for (int it = 0; it < options.power_iterations; ++it) {
    q = Orthonormalize(times(at, q));
    q = Orthonormalize(times(a, q));
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

std::vector<std::vector<std::pair<uint32_t, float>>> NearestUnits(const UnitVectors& vectors,
                                                                  const RelatedOptions& options,
                                                                  int threads) {
  const Eigen::Index k = vectors.rows();
  std::vector<std::vector<std::pair<uint32_t, float>>> out(static_cast<size_t>(k));
  constexpr Eigen::Index kBlock = 256;
  const size_t top_n = static_cast<size_t>(std::max(0, options.top_n));
  std::atomic<Eigen::Index> next{0};
  auto work = [&] {
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sims;
    std::vector<std::pair<uint32_t, float>> cand;
    for (Eigen::Index start; (start = next.fetch_add(kBlock)) < k;) {
      const Eigen::Index rows = std::min(kBlock, k - start);
      sims.noalias() = vectors.middleRows(start, rows) * vectors.transpose();
      for (Eigen::Index r = 0; r < rows; ++r) {
        const Eigen::Index self = start + r;
        cand.clear();
        for (Eigen::Index j = 0; j < k; ++j) {
          const float s = sims(r, j);
          if (j != self && s >= options.min_score) cand.emplace_back(static_cast<uint32_t>(j), s);
        }
        auto better = [](const auto& x, const auto& y) {
          return x.second != y.second ? x.second > y.second : x.first < y.first;
        };
        const size_t keep = std::min(top_n, cand.size());
        std::partial_sort(cand.begin(), cand.begin() + static_cast<long>(keep), cand.end(), better);
        cand.resize(keep);
        for (auto& c : cand) c.second = std::clamp(c.second, 0.0f, 1.0f);
        out[static_cast<size_t>(self)] = cand;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
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
