// The bigrams lexicon's selection and the model lookups weigh candidates by.
#include "lexicon/context_bigrams.h"

#include <string>
#include <utility>
#include <vector>

#include "count/term_table.h"
#include "gtest/gtest.h"
#include "lexicon/bigram_model.h"
#include "lexicon/corrector.h"

namespace nightjar {
namespace {

struct Counts {
  TermTable terms;
  Vocabulary vocab;
  PhraseCounts pairs;
  explicit Counts(const std::vector<std::pair<std::string, uint64_t>>& words) {
    for (const auto& [w, f] : words) terms.Add(w, TermStats{f, f});
    vocab = Vocabulary(terms, 1);
    pairs = PhraseCounts(vocab.size());
  }
  void Pair(const std::string& a, const std::string& b, uint64_t n) {
    pairs.bigrams.Add(BigramKey(vocab.Find(a), vocab.Find(b)), n);
  }
};

std::vector<std::string> Texts(const std::vector<ContextBigram>& bigrams) {
  std::vector<std::string> out;
  for (const auto& b : bigrams) {
    out.push_back(std::string(b.first) + " " + std::string(b.second) + " " +
                  std::to_string(b.count));
  }
  return out;
}

TEST(SelectBigrams, KeepsPairsAtTheFloorMostFrequentFirstWordFirst) {
  Counts c({{"the", 100}, {"science", 20}, {"since", 30}, {"new", 10}, {"york", 10}});
  c.Pair("the", "science", 9);
  c.Pair("new", "york", 9);
  c.Pair("since", "the", 3);
  c.Pair("the", "since", 2);  // below min_count
  // By the first word's frequency rank (the, since, new), then the second's.
  EXPECT_EQ(Texts(SelectBigrams(c.vocab, c.pairs, BigramOptions{})),
            (std::vector<std::string>{"the science 9", "since the 3", "new york 9"}));
  BigramOptions none;
  none.min_count = 0;
  EXPECT_TRUE(SelectBigrams(c.vocab, c.pairs, none).empty());
}

TEST(SelectBigrams, TheCapKeepsWholeCountLevels) {
  Counts c({{"a", 50}, {"b", 50}, {"c", 50}});
  c.Pair("a", "b", 10);
  c.Pair("b", "c", 5);
  c.Pair("c", "a", 5);
  c.Pair("a", "c", 4);
  BigramOptions cap;
  cap.max_bigrams = 2;  // the level of 5 holds two pairs: both would pass the cap, so neither
  EXPECT_EQ(Texts(SelectBigrams(c.vocab, c.pairs, cap)), (std::vector<std::string>{"a b 10"}));
  cap.max_bigrams = 3;
  EXPECT_EQ(Texts(SelectBigrams(c.vocab, c.pairs, cap)),
            (std::vector<std::string>{"a b 10", "b c 5", "c a 5"}));  // a, b, c: ties by text
  cap.max_bigrams = 0;                                                // no cap
  EXPECT_EQ(SelectBigrams(c.vocab, c.pairs, cap).size(), 4u);
}

TEST(BigramModel, CountsOrderedPairsOfWholeWords) {
  BigramModel m;
  m.Add("new", "york", 7);
  m.Add("new", "york", 2);
  m.Add("ab", "c", 1);
  EXPECT_EQ(m.Count("new", "york"), 9u);
  EXPECT_EQ(m.Count("york", "new"), 0u);
  EXPECT_EQ(m.Count("a", "bc"), 0u);
  EXPECT_EQ(m.size(), 2u);
}

// "scince" is one cheap slip from "since" (more frequent) and one dropped letter from "science".
SpellCorrector Corrector(double context_weight) {
  BigramModel m;
  m.Add("the", "science", 40);
  m.Add("computer", "science", 60);
  m.Add("since", "then", 30);
  m.Add("ever", "since", 20);
  CorrectorOptions o;
  o.context_weight = context_weight;
  return SpellCorrector({{"the", 50000},
                         {"science", 300},
                         {"since", 1500},
                         {"computer", 200},
                         {"then", 900},
                         {"ever", 400},
                         {"blue", 300},
                         {"filler", 5000000}},
                        {}, o, std::move(m));
}

TEST(CorrectorInContext, NeighboursChooseBetweenCandidates) {
  const SpellCorrector c = Corrector(1.0);
  EXPECT_EQ(c.Correct("scince").text, "since");  // alone, the likelier word
  EXPECT_EQ(c.Correct("scince", "the").text, "science");
  EXPECT_EQ(c.Correct("scince", "computer").text, "science");
  EXPECT_EQ(c.Correct("scince", "ever").text, "since");
  EXPECT_EQ(c.Correct("scince", "", "then").text, "since");
  // A neighbour seen next to none of the candidates, or not a word, says nothing.
  EXPECT_EQ(c.Correct("scince", "blue").text, "since");
  EXPECT_EQ(c.Correct("scince", "zzqx").text, "since");
  EXPECT_EQ(Corrector(0.0).Correct("scince", "the").text, "since");  // context off
  // Known words are never changed by their neighbours.
  EXPECT_EQ(c.Correct("since", "the").text, "since");
}

TEST(CorrectorInContext, RareEvidenceIsSmoothedAway) {
  // One pair seen 3 times next to a very frequent neighbour barely moves a clear choice.
  BigramModel m;
  m.Add("the", "sine", 3);
  const SpellCorrector c(
      {{"the", 50000}, {"science", 300}, {"since", 1500}, {"sine", 20}, {"filler", 5000000}}, {},
      CorrectorOptions{}, std::move(m));
  EXPECT_EQ(c.Correct("sinse", "the").text, "since");
}

}  // namespace
}  // namespace nightjar
