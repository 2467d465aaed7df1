#include "lexicon/phrases.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

double Npmi(double n_ab, double n_a, double n_b, double total) {
  const double p_ab = n_ab / total;
  if (p_ab >= 1.0) return 1.0;
  return std::log(p_ab / ((n_a / total) * (n_b / total))) / -std::log(p_ab);
}

}  // namespace

PhraseSet::PhraseSet(const Vocabulary& vocab, const PhraseCounts& counts,
                     const PhraseOptions& options) {
  const double total = static_cast<double>(std::max<uint64_t>(vocab.total_frequency(), 1));
  auto freq = [&](uint32_t id) { return static_cast<double>(vocab.stats(id).frequency); };
  auto bigram = [&](uint32_t a, uint32_t b) -> double {
    return static_cast<double>(counts.Bigram(a, b));
  };
  // By id: the bigram scan asks for every pair counted min_count times.
  std::vector<uint8_t> connector(vocab.size(), 0);
  for (const auto& w : ConnectorWords()) {
    if (uint32_t id = vocab.Find(w); id != Vocabulary::kNone) connector[id] = 1;
  }
  auto text = [&](std::initializer_list<uint32_t> ids) {
    std::string s;
    for (uint32_t id : ids) {
      if (!s.empty()) s.push_back(' ');
      s.append(vocab.term(id));
    }
    return s;
  };

  counts.bigrams.ForEach([&](uint64_t key, uint64_t n) {
    if (n < options.min_count) return;
    const auto a = static_cast<uint32_t>(key >> 32), b = static_cast<uint32_t>(key);
    if (connector[a] != 0 || connector[b] != 0) return;
    const double score = Npmi(static_cast<double>(n), freq(a), freq(b), total);
    if (score < options.threshold) return;
    phrases_.push_back(Phrase{{a, b}, text({a, b}), n, score});
  });
  if (options.trigrams) {
    counts.ForEachTrigram([&](uint32_t a, uint32_t b, uint32_t c, uint64_t n) {
      if (n < options.min_count) return;
      const double nd = static_cast<double>(n);
      double score;
      if (connector[b] != 0) {
        score = Npmi(nd, freq(a), freq(c), total);
      } else {
        const double ab = bigram(a, b), bc = bigram(b, c);
        if (ab == 0 || bc == 0) return;
        score = std::min(Npmi(nd, ab, freq(c), total), Npmi(nd, freq(a), bc, total));
      }
      if (score < options.threshold) return;
      phrases_.push_back(Phrase{{a, b, c}, text({a, b, c}), n, score});
    });
  }
  std::sort(phrases_.begin(), phrases_.end(), [](const Phrase& x, const Phrase& y) {
    return x.score != y.score ? x.score > y.score : x.text < y.text;
  });
  for (int i = 0; i < static_cast<int>(phrases_.size()); ++i) {
    const auto& ids = phrases_[static_cast<size_t>(i)].ids;
    if (ids.size() == 2) {
      bigram_index_.emplace(BigramKey(ids[0], ids[1]), i);
    } else {
      trigram_index_.emplace(TrigramKey(ids[0], ids[1], ids[2]), i);
    }
  }
}

int PhraseSet::FindBigram(uint32_t a, uint32_t b) const {
  auto it = bigram_index_.find(BigramKey(a, b));
  return it == bigram_index_.end() ? -1 : it->second;
}

int PhraseSet::FindTrigram(uint32_t a, uint32_t b, uint32_t c) const {
  if (a > kMaxTrigramId || b > kMaxTrigramId || c > kMaxTrigramId) return -1;
  auto it = trigram_index_.find(TrigramKey(a, b, c));
  return it == trigram_index_.end() ? -1 : it->second;
}

}  // namespace nightjar
