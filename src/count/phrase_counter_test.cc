#include "count/phrase_counter.h"

#include <map>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

using Trigrams = std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint64_t>;

Trigrams TrigramsOf(const PhraseCounts& c) {
  Trigrams out;
  c.ForEachTrigram([&](uint32_t a, uint32_t b, uint32_t c3, uint64_t n) { out[{a, b, c3}] += n; });
  return out;
}

TEST(PhraseCounts, TrigramsComeBackAsAddedUpToTheIdLimit) {
  // A vocabulary past 2^21 ids: trigrams keep to the 2^21 most frequent.
  PhraseCounts c(3000000);
  EXPECT_EQ(c.trigram_limit(), kMaxTrigramId + 1);
  const uint32_t top = kMaxTrigramId;
  c.AddTrigram(top, top, top);
  c.AddTrigram(top, 0, top);
  c.AddTrigram(0, top, 1);
  c.AddTrigram(0, top, 1);
  c.AddTrigram(7, 8, 9);
  c.Flush();
  EXPECT_EQ(TrigramsOf(c),
            (Trigrams{{{0, top, 1}, 2}, {{7, 8, 9}, 1}, {{top, 0, top}, 1}, {{top, top, top}, 1}}));
}

TEST(PhraseCounts, SumAddsTrigramsBigramsAndAbbreviations) {
  PhraseCounts a(100), b(100);
  a.AddTrigram(1, 2, 3);
  b.AddTrigram(1, 2, 3);
  b.AddTrigram(3, 2, 1);
  a.bigrams.Add(BigramKey(1, 2), 4);
  b.bigrams.Add(BigramKey(1, 2), 1);
  a.abbreviations.Add("ML\x1fmachine learning", 2);
  b.abbreviations.Add("ML\x1fmachine learning", 3);
  std::vector<PhraseCounts*> parts = {&a, &b};
  const PhraseCounts sum = PhraseCounts::Sum(parts, 2);
  EXPECT_EQ(TrigramsOf(sum), (Trigrams{{{1, 2, 3}, 2}, {{3, 2, 1}, 1}}));
  EXPECT_EQ(sum.Bigram(1, 2), 5u);
  EXPECT_EQ(sum.Bigram(2, 1), 0u);
  EXPECT_EQ(sum.abbreviations.Get("ML\x1fmachine learning"), 5u);
  EXPECT_TRUE(TrigramsOf(a).empty());
  EXPECT_EQ(a.Bigram(1, 2), 0u);
}

}  // namespace
}  // namespace nightjar
