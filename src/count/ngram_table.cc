#include "count/ngram_table.h"

#include <algorithm>
#include <thread>

namespace nightjar {
namespace {

inline bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

int CountChars(std::string_view s) {
  int n = 0;
  for (char c : s) n += !IsContinuation(c);
  return n;
}

void NgramTable::AddTerm(std::string_view term, uint64_t frequency, uint32_t stamp, int n_min,
                         int n_max, Scratch& scratch) {
  std::string& padded = scratch.padded;
  std::vector<uint32_t>& offsets = scratch.offsets;
  padded.clear();
  padded.push_back(kBegin);
  padded.append(term);
  padded.push_back(kEnd);
  offsets.clear();
  for (uint32_t i = 0; i < padded.size(); ++i) {
    if (!IsContinuation(padded[i])) offsets.push_back(i);
  }
  const int chars = static_cast<int>(offsets.size());
  offsets.push_back(static_cast<uint32_t>(padded.size()));
  padded.append(16, '\0');  // slack, so that every gram can be loaded with word reads
  // All of a term's grams are hashed and their slots prefetched before any is counted, so their
  // cache misses overlap.
  scratch.grams.clear();
  for (int n = n_min; n <= n_max && n <= chars; ++n) {
    for (int i = 0; i + n <= chars; ++i) {
      if (n == 1 && (i == 0 || i == chars - 1)) continue;  // a lone boundary marker
      std::string_view gram(padded.data() + offsets[i], offsets[i + n] - offsets[i]);
      const CountTable::Key key = CountTable::MakeKey(gram, padded.size() - offsets[i]);
      table_.Prefetch(key);
      scratch.grams.push_back(key);
    }
  }
  // The term stamp makes a gram repeated inside one term ("ana" in "banana") count once in
  // term_count while its frequency counts every occurrence.
  for (const CountTable::Key& key : scratch.grams) table_.AddWeighted(key, frequency, stamp);
}

NgramTable NgramTable::FromTerms(const TermTable& terms, int n_min, int n_max, int threads) {
  std::vector<std::pair<std::string_view, uint64_t>> all;
  all.reserve(terms.size());
  terms.ForEach([&](std::string_view t, const TermStats& s) { all.emplace_back(t, s.frequency); });
  threads = std::max(1, std::min<int>(threads, static_cast<int>(all.size() / 4096) + 1));
  std::vector<NgramTable> parts(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Scratch scratch;
      NgramTable& part = parts[static_cast<size_t>(t)];
      uint32_t stamp = 0;
      for (size_t i = static_cast<size_t>(t); i < all.size(); i += static_cast<size_t>(threads)) {
        if (++stamp == 0) {  // wrapped: forget old stamps and start again
          part.table_.ResetStamps();
          stamp = 1;
        }
        part.AddTerm(all[i].first, all[i].second, stamp, n_min, n_max, scratch);
      }
    });
  }
  for (auto& w : workers) w.join();
  // Shares hold disjoint terms, so term counts add up exactly.
  NgramTable out = std::move(parts[0]);
  for (size_t t = 1; t < parts.size(); ++t) out.table_.Merge(parts[t].table_);
  return out;
}

NgramStats NgramTable::Get(std::string_view ngram) const {
  NgramStats s;
  table_.Get(ngram, &s.frequency, &s.term_count);
  return s;
}

std::vector<NgramRow> NgramTable::Sorted() const {
  std::vector<NgramRow> rows;
  rows.reserve(table_.size());
  table_.ForEach([&](std::string_view gram, uint64_t f, uint64_t tc) {
    rows.push_back(NgramRow{gram, CountChars(gram), NgramStats{f, tc}});
  });
  std::sort(rows.begin(), rows.end(), [](const NgramRow& a, const NgramRow& b) {
    if (a.n != b.n) return a.n < b.n;
    if (a.stats.frequency != b.stats.frequency) return a.stats.frequency > b.stats.frequency;
    return a.ngram < b.ngram;
  });
  return rows;
}

}  // namespace nightjar
