#include "count/corpus_counter.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "count/ngram_table.h"
#include "count/term_cap.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

// An independent reference: lower-cased runs of ASCII letters, counted with std::map. The test
// corpus uses only ASCII letters, spaces and punctuation, so this needs no tokenizer rules.
struct Reference {
  std::map<std::string, TermStats> terms;
  uint64_t documents = 0, deleted = 0, tokens = 0;
  // Counts lower-cased runs of letters (and digits, when `digits`) as tokens of one document.
  void AddText(const std::string& text, std::set<std::string>& seen, bool digits) {
    std::string cur;
    auto flush = [&] {
      if (cur.empty()) return;
      ++terms[cur].frequency;
      if (seen.insert(cur).second) ++terms[cur].doc_frequency;
      ++tokens;
      cur.clear();
    };
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      if (digits ? std::isalnum(u) : std::isalpha(u)) {
        cur.push_back(static_cast<char>(std::tolower(u)));
      } else {
        flush();
      }
    }
    flush();
  }
};

std::string MakeCorpus(const TempDir& dir, int docs, Reference& ref) {
  static const char* kWords[] = {"search", "Engine",   "query", "SPELLING", "lexicon",
                                 "token",  "index",    "rank",  "a",        "of",
                                 "the",    "nightjar", "Bird",  "zebra",    "xylophone"};
  static const char* kPunct[] = {" ", "  ", ", ", ". ", "! ", " (", ") ", "; ", "\\n", "\\t"};
  std::mt19937 rng(42);
  std::string data;
  for (int i = 0; i < docs; ++i) {
    bool deleted = i % 41 == 0;
    std::string title, body;
    int nt = static_cast<int>(rng() % 4), nb = static_cast<int>(rng() % 60);
    for (int k = 0; k < nt; ++k) title += std::string(kWords[rng() % 15]) + kPunct[rng() % 10];
    for (int k = 0; k < nb; ++k) {
      std::string w = kWords[rng() % 15];
      if (rng() % 50 == 0) w += std::to_string(i);  // rare digit-suffixed words: "rank17"
      body += w + kPunct[rng() % 10];
    }
    data += "{\"id\":\"d" + std::to_string(i) + "\",\"title\":\"" + title + "\",\"body\":\"" +
            body + "\"" + (deleted ? ",\"deleted\":true" : "") + "}\n";
    if (i % 97 == 0) data += "{not json}\n";
    if (deleted) {
      ++ref.deleted;
      continue;
    }
    ++ref.documents;
    // The JSON escapes \n and \t decode to whitespace: separators for both tokenizers.
    auto unescape = [](const std::string& s) {
      std::string out;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          out.push_back(s[i + 1] == 'n' ? '\n' : '\t');
          ++i;
        } else {
          out.push_back(s[i]);
        }
      }
      return out;
    };
    std::set<std::string> seen;
    ref.AddText(unescape(title), seen, /*digits=*/false);
    // Digit-suffixed words are single tokens for nightjar ("rank17"); titles have none.
    ref.AddText(unescape(body), seen, /*digits=*/true);
  }
  return dir.Write("corpus.jsonl", data);
}

CorpusCounts Count(const std::string& path, int threads, uint64_t* rejected,
                   const CountOptions& options = {}) {
  RejectLog log;
  SourceOptions so;
  so.uri = "jsonl:" + path;
  so.batch_bytes = 8192;  // many batches, so every thread gets work
  auto source = DocumentSource::Open(so, &log);
  EXPECT_TRUE(source.ok());
  CountOptions co = options;
  co.threads = threads;
  auto counts = CountCorpus(**source, co, log, nullptr);
  EXPECT_TRUE(counts.ok()) << counts.status();
  *rejected = log.total();
  return std::move(counts).value();
}

TEST(CorpusCounterTest, MatchesIndependentReferenceForEveryThreadCount) {
  TempDir dir;
  Reference ref;
  std::string path = MakeCorpus(dir, 3000, ref);
  for (int threads : {1, 2, 8}) {
    SCOPED_TRACE(threads);
    uint64_t rejected = 0;
    CorpusCounts c = Count(path, threads, &rejected);
    EXPECT_EQ(rejected, 31u);
    EXPECT_EQ(c.totals.documents, ref.documents);
    EXPECT_EQ(c.totals.deleted, ref.deleted);
    EXPECT_EQ(c.totals.tokens, ref.tokens);
    ASSERT_EQ(c.terms.size(), ref.terms.size());
    for (const auto& [term, want] : ref.terms) {
      TermStats got = c.terms.Get(term);
      ASSERT_EQ(got.frequency, want.frequency) << term;
      ASSERT_EQ(got.doc_frequency, want.doc_frequency) << term;
    }
  }
}

TEST(CorpusCounterTest, ManyThreadsMergeToTheOneThreadCount) {
  TempDir dir;
  Reference ref;
  const std::string path = MakeCorpus(dir, 3000, ref);
  uint64_t rejected = 0;
  const CorpusCounts one = Count(path, 1, &rejected);
  for (int threads : {2, 5}) {
    const CorpusCounts many = Count(path, threads, &rejected);
    EXPECT_TRUE(many.terms == one.terms) << threads;
    EXPECT_TRUE(many.totals == one.totals) << threads;
  }
  EXPECT_FALSE(one.terms == TermTable());
}

// A corpus of many one-off and few frequent terms: its tables outgrow a small budget.
std::string MakeWideCorpus(const TempDir& dir, int docs) {
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; i < docs; ++i) {
    std::string body;
    for (int k = 0; k < 40; ++k) {
      body += rng() % 3 == 0 ? "common" + std::to_string(rng() % 50)
                             : "r" + std::to_string(rng() % 400000) + "x";
      body += rng() % 9 == 0 ? std::string(18, 'q') + " " : " ";  // long keys, in the arena
    }
    data += "{\"id\":\"w" + std::to_string(i) + "\",\"body\":\"" + body + "\"}\n";
  }
  return dir.Write("wide.jsonl", data);
}

TEST(CorpusCounterTest, SpilledCountsEqualCountsKeptInMemory) {
  TempDir dir;
  const std::string path = MakeWideCorpus(dir, 8000);
  uint64_t rejected = 0;
  CountOptions unbounded;
  unbounded.max_terms = 0;
  const CorpusCounts want = Count(path, 1, &rejected, unbounded);
  ASSERT_GT(want.terms.size(), 150000u);
  EXPECT_EQ(want.spilled_runs, 0u);
  EXPECT_EQ(want.distinct_terms, want.terms.size());
  CountOptions bounded = unbounded;
  bounded.table_bytes = size_t{12} << 20;
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    const CorpusCounts got = Count(path, threads, &rejected, bounded);
    EXPECT_GT(got.spilled_runs, 1u);
    EXPECT_LT(got.spilled_runs, 100u);  // each run holds many documents
    EXPECT_GT(got.spilled_bytes, 0u);
    EXPECT_TRUE(got.terms == want.terms);
    EXPECT_TRUE(got.totals == want.totals);
    EXPECT_EQ(got.distinct_terms, want.terms.size());
  }
}

TEST(CorpusCounterTest, MaxTermsKeepsTheSameTermsSpilledOrNot) {
  TempDir dir;
  const std::string path = MakeWideCorpus(dir, 8000);
  uint64_t rejected = 0;
  CountOptions all;
  all.max_terms = 0;
  CorpusCounts want = Count(path, 2, &rejected, all);
  const uint64_t distinct = want.terms.size();
  const uint64_t min_kept = KeepMostFrequent(1000, &want.terms);
  EXPECT_GT(min_kept, 1u);
  EXPECT_LE(want.terms.size(), 1000u);
  EXPECT_GT(want.terms.size(), 0u);
  for (size_t table_bytes : {size_t{0}, size_t{12} << 20}) {
    SCOPED_TRACE(table_bytes);
    CountOptions capped;
    capped.max_terms = 1000;
    capped.table_bytes = table_bytes;
    const CorpusCounts got = Count(path, 2, &rejected, capped);
    EXPECT_EQ(got.spilled_runs > 0, table_bytes > 0);
    EXPECT_TRUE(got.terms == want.terms);
    EXPECT_EQ(got.distinct_terms, distinct);
    EXPECT_EQ(got.min_kept_frequency, min_kept);
  }
}

TEST(CorpusCounterTest, NgramsIdenticalForEveryThreadCount) {
  TempDir dir;
  Reference ref;
  std::string path = MakeCorpus(dir, 800, ref);
  uint64_t rejected = 0;
  CorpusCounts one = Count(path, 1, &rejected);
  for (int threads : {2, 8}) {
    CorpusCounts many = Count(path, threads, &rejected);
    const NgramTable ngrams_one = NgramTable::FromTerms(one.terms, 1, 3, 1);
    const NgramTable ngrams_many = NgramTable::FromTerms(many.terms, 1, 3, threads);
    auto a = ngrams_one.Sorted();
    auto b = ngrams_many.Sorted();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].ngram, b[i].ngram);
      ASSERT_EQ(a[i].stats.frequency, b[i].stats.frequency);
      ASSERT_EQ(a[i].stats.term_count, b[i].stats.term_count);
    }
  }
}

TEST(TermTableTest, MergeIsAssociativeAndCommutative) {
  auto make = [](std::vector<std::pair<std::string, TermStats>> rows) {
    TermTable t;
    for (auto& [k, v] : rows) t.Add(k, v);
    return t;
  };
  auto a = [&] { return make({{"x", {3, 2}}, {"y", {1, 1}}}); };
  auto b = [&] { return make({{"y", {5, 4}}, {"z", {2, 1}}}); };
  auto c = [&] { return make({{"x", {1, 1}}, {"w", {7, 7}}}); };
  TermTable left = a();  // (a + b) + c
  {
    TermTable ab = b();
    left.Merge(ab);
    TermTable cc = c();
    left.Merge(cc);
  }
  TermTable right = c();  // c + (b + a)
  {
    TermTable ba = b();
    TermTable aa = a();
    ba.Merge(aa);
    right.Merge(ba);
  }
  auto l = left.Sorted(), r = right.Sorted();
  ASSERT_EQ(l.size(), r.size());
  for (size_t i = 0; i < l.size(); ++i) {
    EXPECT_EQ(l[i].term, r[i].term);
    EXPECT_EQ(l[i].stats.frequency, r[i].stats.frequency);
    EXPECT_EQ(l[i].stats.doc_frequency, r[i].stats.doc_frequency);
  }
  EXPECT_EQ(left.Get("x").frequency, 4u);
  EXPECT_EQ(left.Get("y").doc_frequency, 5u);
  EXPECT_EQ(left.Get("absent").frequency, 0u);
}

TEST(TermTableTest, DocFrequencyCountsEachDocumentOnce) {
  TermTable t;
  t.AddOccurrence("a", 1);
  t.AddOccurrence("a", 1);
  t.AddOccurrence("b", 1);
  t.AddOccurrence("a", 2);
  EXPECT_EQ(t.Get("a").frequency, 3u);
  EXPECT_EQ(t.Get("a").doc_frequency, 2u);
  EXPECT_EQ(t.Get("b").doc_frequency, 1u);
}

TEST(TermTableTest, SortedIsByFrequencyThenTerm) {
  TermTable t;
  t.Add("b", {2, 1});
  t.Add("a", {2, 1});
  t.Add("c", {5, 1});
  auto rows = t.Sorted();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].term, "c");
  EXPECT_EQ(rows[1].term, "a");
  EXPECT_EQ(rows[2].term, "b");
}

TEST(TermTableTest, SortedMatchesAPlainSortOnTrickyTerms) {
  // Shared 8-byte prefixes, prefixes of each other, bytes past 0x7f, a NUL byte, many ties.
  std::mt19937 rng(12);
  const std::vector<std::string> stems = {"internationalization", "internation", "intern", "in",
                                          "\xc3\xa9t\xc3\xa9",    "\xff\x01",    "z",      "ab"};
  TermTable t;
  std::vector<TermRow> want;
  std::set<std::string> seen;
  std::vector<std::string> terms;
  for (int i = 0; i < 3000; ++i) {
    std::string term = stems[rng() % stems.size()];
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) term.push_back("aez\xc3\x80"[rng() % 5]);
    if (i == 7) term = std::string("ab\0c", 4);
    if (!seen.insert(term).second) continue;
    terms.push_back(term);
  }
  for (const std::string& term : terms) t.Add(term, {1 + rng() % 3, 1});
  t.ForEach([&](std::string_view term, const TermStats& s) { want.push_back(TermRow{term, s}); });
  std::sort(want.begin(), want.end(), [](const TermRow& a, const TermRow& b) {
    if (a.stats.frequency != b.stats.frequency) return a.stats.frequency > b.stats.frequency;
    return a.term < b.term;
  });
  const auto got = t.Sorted();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].term, want[i].term) << i;
    ASSERT_EQ(got[i].stats.frequency, want[i].stats.frequency) << i;
  }
}

TEST(NgramTableTest, DerivedFromTermTableWithBoundaryMarkers) {
  TermTable t;
  t.Add("banana", {10, 4});
  t.Add("an", {3, 2});
  t.Add("\u00e9t\u00e9", {2, 1});  // multi-byte characters count as one character
  NgramTable g = NgramTable::FromTerms(t, 1, 3, 2);
  EXPECT_EQ(g.Get("a").frequency, 10u * 3 + 3);
  EXPECT_EQ(g.Get("a").term_count, 2u);
  EXPECT_EQ(g.Get("ana").frequency, 20u);  // twice in banana
  EXPECT_EQ(g.Get("ana").term_count, 1u);  // but one term
  EXPECT_EQ(g.Get("<ba").frequency, 10u);
  EXPECT_EQ(g.Get("na>").frequency, 10u);
  EXPECT_EQ(g.Get("<an").frequency, 3u);
  EXPECT_EQ(g.Get("<a").frequency, 3u);
  EXPECT_EQ(g.Get("<an>").frequency, 0u);  // n = 4 is out of range
  EXPECT_EQ(g.Get("<").frequency, 0u);     // lone markers are not n-grams
  EXPECT_EQ(g.Get("\u00e9t\u00e9").frequency, 2u);
  EXPECT_EQ(g.Get("<\u00e9t").frequency, 2u);
  for (const auto& row : g.Sorted()) EXPECT_EQ(row.n, CountChars(row.ngram));
}

// The n-grams of random terms mixing the dense alphabet, other ASCII and multi-byte characters
// (so that grams of one term go both to the dense counts and to the table, and one gram can get
// counts from both paths), against a plain map.
TEST(NgramTableTest, MatchesAReferenceOnMixedAlphabets) {
  const std::vector<std::string> pieces = {"a", "b",      "n",      "z",      "0",
                                           "7", "'",      "-",      "+",      ".",
                                           "#", "\u00e9", "\u00df", "\u4e2d", "\U0001F600"};
  std::mt19937 rng(5);
  TermTable t;
  std::map<std::string, uint64_t> freq;
  for (int i = 0; i < 3000; ++i) {
    std::string term;
    const int len = 1 + static_cast<int>(rng() % 7);
    // Mostly the dense alphabet, as real terms are.
    for (int j = 0; j < len; ++j) term += pieces[rng() % (rng() % 4 == 0 ? pieces.size() : 8)];
    const uint64_t f = 1 + rng() % 50;
    if (freq.emplace(term, f).second) t.Add(term, {f, 1});
  }
  for (auto [n_min, n_max] : {std::pair{1, 3}, std::pair{2, 5}, std::pair{1, 1}, std::pair{3, 3}}) {
    std::map<std::string, std::pair<uint64_t, uint64_t>> want;  // gram -> frequency, terms
    for (const auto& [term, f] : freq) {
      std::vector<std::string> chars = {"<"};
      for (size_t i = 0; i < term.size();) {
        size_t n = 1;
        while (i + n < term.size() && (static_cast<unsigned char>(term[i + n]) & 0xC0) == 0x80) ++n;
        chars.push_back(term.substr(i, n));
        i += n;
      }
      chars.push_back(">");
      std::set<std::string> seen;
      const int m = static_cast<int>(chars.size());
      for (int n = n_min; n <= n_max; ++n) {
        for (int i = 0; i + n <= m; ++i) {
          if (n == 1 && (i == 0 || i == m - 1)) continue;
          std::string gram;
          for (int j = i; j < i + n; ++j) gram += chars[static_cast<size_t>(j)];
          want[gram].first += f;
          if (seen.insert(gram).second) ++want[gram].second;
        }
      }
    }
    for (int threads : {1, 3}) {
      const NgramTable g = NgramTable::FromTerms(t, n_min, n_max, threads);
      ASSERT_EQ(g.size(), want.size()) << n_min << ".." << n_max;
      for (const auto& [gram, counts] : want) {
        ASSERT_EQ(g.Get(gram).frequency, counts.first) << gram;
        ASSERT_EQ(g.Get(gram).term_count, counts.second) << gram;
      }
    }
  }
}

TEST(NgramTableTest, ShortTermsYieldOnlyWhatFits) {
  TermTable t;
  t.Add("a", {1, 1});
  NgramTable g = NgramTable::FromTerms(t, 1, 5, 1);
  EXPECT_EQ(g.Get("a").frequency, 1u);
  EXPECT_EQ(g.Get("<a").frequency, 1u);
  EXPECT_EQ(g.Get("a>").frequency, 1u);
  EXPECT_EQ(g.Get("<a>").frequency, 1u);
  EXPECT_EQ(g.size(), 4u);
}

}  // namespace
}  // namespace nightjar
