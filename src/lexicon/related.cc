#include "lexicon/related.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "absl/random/gaussian_distribution.h"
#include "lexicon/kernels.h"
#include "util/json_writer.h"
#include "util/parallel.h"

namespace nightjar {
namespace {

using Dense = Eigen::MatrixXf;
using RowDense = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A sparse matrix in compressed rows, each row's cells in column order.
struct Csr {
  size_t rows = 0;
  std::vector<int> outer = {0};  // rows + 1 offsets into inner and values
  std::vector<int> inner;        // column of each cell
  std::vector<float> values;
};

// m's transpose, m having `cols` columns: a counting sort by column. Reading m's rows in order,
// each row of the result gets its cells in column order whatever the order within m's rows.
Csr Transpose(const Csr& m, size_t cols) {
  Csr t;
  t.rows = cols;
  t.outer.assign(cols + 1, 0);
  for (int c : m.inner) ++t.outer[static_cast<size_t>(c) + 1];
  for (size_t c = 0; c < cols; ++c) t.outer[c + 1] += t.outer[c];
  t.inner.resize(m.inner.size());
  t.values.resize(m.values.size());
  std::vector<int> fill(t.outer.begin(), t.outer.end() - 1);
  for (size_t r = 0; r < m.rows; ++r) {
    for (int e = m.outer[r]; e < m.outer[r + 1]; ++e) {
      const auto at =
          static_cast<size_t>(fill[static_cast<size_t>(m.inner[static_cast<size_t>(e)])]++);
      t.inner[at] = static_cast<int>(r);
      t.values[at] = m.values[static_cast<size_t>(e)];
    }
  }
  return t;
}

// The cells that cells(fn) gives, fn(row, column, value) for each, as a matrix of `rows` rows in
// compressed rows: a counting sort by row, so each row keeps its cells in the order given.
// `cells` runs twice (a count, then a fill) and must give the same cells both times.
template <typename Cells>
Csr CsrByRow(size_t rows, const Cells& cells) {
  Csr m;
  m.rows = rows;
  m.outer.assign(rows + 1, 0);
  cells([&](uint32_t r, uint32_t, float) { ++m.outer[size_t{r} + 1]; });
  for (size_t r = 0; r < rows; ++r) m.outer[r + 1] += m.outer[r];
  m.inner.resize(static_cast<size_t>(m.outer[rows]));
  m.values.resize(m.inner.size());
  std::vector<int> fill(m.outer.begin(), m.outer.end() - 1);
  cells([&](uint32_t r, uint32_t c, float v) {
    const auto at = static_cast<size_t>(fill[r]++);
    m.inner[at] = static_cast<int>(c);
    m.values[at] = v;
  });
  return m;
}

// The PPMI matrix of the unit pairs (k x k) and its transpose. Frees `pairs` once read, and
// the matrix's memory is all that is held while the transpose is built.
std::pair<Csr, Csr> PpmiMatrix(uint32_t k, SortedPairCounts pairs, double alpha) {
  std::vector<double> row(k, 0.0);
  double total = 0;
  pairs.ForEach([&](uint32_t a, uint32_t b, uint64_t n) {
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
  // Every positive cell in both directions. The pairs come by (a, b), a < b, so row r gets its
  // cells (r, c < r) from the pairs (c, r) before those (r, c > r) from its own: every row of
  // the matrix comes out in column order.
  Csr m = CsrByRow(k, [&](auto&& fn) {
    pairs.ForEach([&](uint32_t a, uint32_t b, uint64_t n) {
      if (a >= k || b >= k || n == 0) return;
      const double ln = n < kTable ? log_n[n] : std::log(static_cast<double>(n));
      const double ab = ln - log_row[a] - log_ctx[b];
      const double ba = ln - log_row[b] - log_ctx[a];
      if (ab > 0) fn(a, b, static_cast<float>(ab));
      if (ba > 0) fn(b, a, static_cast<float>(ba));
    });
  });
  pairs = SortedPairCounts();
  Csr t = Transpose(m, k);
  return {std::move(m), std::move(t)};
}

// y = m x, x and y row-major with rows of `cols` floats (x one per column of m, y one per row),
// on `workers` threads, each on one contiguous share of m's rows.
void Times(const Csr& m, const float* x, size_t cols, float* y, size_t workers) {
  auto share = [&](size_t t) {
    const size_t r0 = m.rows * t / workers, r1 = m.rows * (t + 1) / workers;
    SparseTimesDense(m.outer.data() + r0, m.inner.data(), m.values.data(), r1 - r0, x, cols,
                     y + r0 * cols);
  };
  ParallelFor(workers, share);
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

UnitVectors BuildUnitVectors(uint32_t units, SortedPairCounts pairs, const RelatedOptions& options,
                             int threads) {
  const auto [a, at] = PpmiMatrix(units, std::move(pairs), options.context_smoothing);
  const Eigen::Index k = units;
  const Eigen::Index l = std::min<Eigen::Index>(k, options.dimensions + 10);
  UnitVectors out = UnitVectors::Zero(k, std::min<Eigen::Index>(k, options.dimensions));
  if (k == 0 || a.inner.empty()) return out;

  // Gaussian test matrix by the ziggurat method: a few nanoseconds a draw, where the standard
  // library's polar method took a logarithm and a square root per pair (a tenth of the SVD).
  std::mt19937_64 rng(options.seed);
  absl::gaussian_distribution<float> normal;
  Dense omega(k, l);
  for (Eigen::Index j = 0; j < l; ++j) {
    for (Eigen::Index i = 0; i < k; ++i) omega(i, j) = normal(rng);
  }
  // Sparse (row-major) times dense (row-major): each stored cell adds a scaled dense row, a
  // contiguous vectorized axpy. A^T is stored row-major too, rather than read column-wise.
  // The rows are split into one contiguous share per thread.
  const auto workers = static_cast<size_t>(std::clamp<int>(threads, 1, 64));
  auto times = [workers](const Csr& m, const Dense& x) -> Dense {
    const RowDense xr = x;
    RowDense y(static_cast<Eigen::Index>(m.rows), x.cols());
    Times(m, xr.data(), static_cast<size_t>(x.cols()), y.data(), workers);
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

UnitVectors WeightedRowSums(uint32_t rows, const SortedPairCounts& weights,
                            const UnitVectors& vectors, int threads) {
  // The weights as a sparse rows x units matrix, each row's cells in unit order.
  const Csr m = CsrByRow(rows, [&](auto&& fn) {
    weights.ForEach([&](uint32_t row, uint32_t unit, uint64_t n) {
      if (row < rows) fn(row, unit, static_cast<float>(n));
    });
  });
  UnitVectors out(static_cast<Eigen::Index>(rows), vectors.cols());
  Times(m, vectors.data(), static_cast<size_t>(vectors.cols()), out.data(),
        static_cast<size_t>(std::clamp<int>(threads, 1, 64)));
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

}  // namespace nightjar
