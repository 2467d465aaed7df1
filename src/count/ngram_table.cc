#include "count/ngram_table.h"

#include <algorithm>

#include "util/parallel.h"

namespace nightjar {
namespace {

inline bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The dense alphabet: symbol 1..kSymbols per byte, 0 for bytes outside it. A gram of symbols
// s0 s1 ... (at most kDenseChars) is entry s0 * kBase^(n-1) + s1 * kBase^(n-2) + ...: digits
// never 0, so grams of every length get distinct entries below kBase^kDenseChars.
constexpr char kAlphabet[] = "<>abcdefghijklmnopqrstuvwxyz0123456789'-";
constexpr uint32_t kSymbols = sizeof(kAlphabet) - 1;
constexpr uint32_t kBase = kSymbols + 1;

struct SymbolTable {
  uint8_t of[256] = {};
  char byte[kBase] = {};
  constexpr SymbolTable() {
    for (uint32_t i = 0; i < kSymbols; ++i) {
      of[static_cast<unsigned char>(kAlphabet[i])] = static_cast<uint8_t>(i + 1);
      byte[i + 1] = kAlphabet[i];
    }
  }
};
constexpr SymbolTable kSymbolTable;

constexpr size_t DenseEntries() {
  size_t n = 1;
  for (int i = 0; i < NgramTable::kDenseChars; ++i) n *= kBase;
  return n;
}

}  // namespace

int CountChars(std::string_view s) {
  int n = 0;
  for (char c : s) n += !IsContinuation(c);
  return n;
}

void NgramTable::AddTerm(std::string_view term, uint64_t frequency, uint32_t stamp, int n_min,
                         int n_max, Scratch& scratch) {
  auto add_dense = [&](uint32_t entry) {
    DenseGram& g = scratch.dense[entry];
    g.frequency += frequency;
    g.term_count += g.stamp != stamp;
    g.stamp = stamp;
  };
  // The usual case: every byte of the term is in the dense alphabet, so that its bytes are its
  // characters and each of its grams up to kDenseChars is a dense entry.
  std::vector<uint8_t>& symbols = scratch.symbols;
  symbols.clear();
  symbols.push_back(kSymbolTable.of[static_cast<unsigned char>(kBegin)]);
  bool dense = true;
  for (char c : term) {
    const uint8_t s = kSymbolTable.of[static_cast<unsigned char>(c)];
    dense &= s != 0;
    symbols.push_back(s);
  }
  symbols.push_back(kSymbolTable.of[static_cast<unsigned char>(kEnd)]);
  if (dense && n_max <= kDenseChars) {
    const int chars = static_cast<int>(symbols.size());
    for (int n = n_min; n <= n_max && n <= chars; ++n) {
      for (int i = 0; i + n <= chars; ++i) {
        if (n == 1 && (i == 0 || i == chars - 1)) continue;  // a lone boundary marker
        uint32_t entry = 0;
        for (int j = i; j < i + n; ++j) entry = entry * kBase + symbols[static_cast<size_t>(j)];
        add_dense(entry);
      }
    }
    return;
  }
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
      if (n <= kDenseChars && static_cast<int>(gram.size()) == n) {  // ASCII: maybe dense
        uint32_t entry = 0;
        for (char c : gram) {
          const uint8_t sym = kSymbolTable.of[static_cast<unsigned char>(c)];
          entry = sym == 0 ? 0 : entry * kBase + sym;
          if (sym == 0) break;
        }
        if (entry != 0) {
          add_dense(entry);
          continue;
        }
      }
      const CountTable::Key key = CountTable::MakeKey(gram, padded.size() - offsets[i]);
      table_.Prefetch(key);
      scratch.grams.push_back(key);
    }
  }
  // The term stamp makes a gram repeated inside one term ("ana" in "banana") count once in
  // term_count while its frequency counts every occurrence.
  for (const CountTable::Key& key : scratch.grams) table_.AddWeighted(key, frequency, stamp);
}

void NgramTable::AddDense(const Scratch& scratch) {
  size_t used = 0;
  for (const DenseGram& g : scratch.dense) used += g.term_count != 0;
  CountTable sized(table_.size() + used);  // grown once, not doubling its way there
  sized.Merge(table_);
  table_ = std::move(sized);
  char gram[kDenseChars];
  for (uint32_t entry = 1; entry < scratch.dense.size(); ++entry) {
    const DenseGram& g = scratch.dense[entry];
    if (g.term_count == 0) continue;
    int n = 0;
    for (uint32_t e = entry; e != 0; e /= kBase) gram[n++] = kSymbolTable.byte[e % kBase];
    std::reverse(gram, gram + n);
    table_.Add(CountTable::MakeKey(std::string_view(gram, static_cast<size_t>(n))), g.frequency,
               g.term_count);
  }
}

NgramTable NgramTable::FromTerms(const TermTable& terms, int n_min, int n_max, int threads) {
  std::vector<std::pair<std::string_view, uint64_t>> all;
  all.reserve(terms.size());
  terms.ForEach([&](std::string_view t, const TermStats& s) { all.emplace_back(t, s.frequency); });
  threads = std::max(1, std::min<int>(threads, static_cast<int>(all.size() / 4096) + 1));
  std::vector<NgramTable> parts(static_cast<size_t>(threads));
  ParallelFor(threads, [&](int t) {
    Scratch scratch;
    scratch.dense.resize(DenseEntries());
    NgramTable& part = parts[static_cast<size_t>(t)];
    uint32_t stamp = 0;
    for (size_t i = static_cast<size_t>(t); i < all.size(); i += static_cast<size_t>(threads)) {
      if (++stamp == 0) {  // wrapped: forget old stamps and start again
        part.table_.ResetStamps();
        for (DenseGram& g : scratch.dense) g.stamp = 0;
        stamp = 1;
      }
      part.AddTerm(all[i].first, all[i].second, stamp, n_min, n_max, scratch);
    }
    part.AddDense(scratch);
  });
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
