#include "count/cooccurrence_counter.h"

#include <string>
#include <vector>

#include "count/phrase_counter.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

class CooccurrenceCounterTest : public ::testing::Test {
 protected:
  CooccurrenceCounterTest() {
    for (const char* t : {"new", "york", "city", "rain", "the", "teh"}) {
      terms_.Add(t, TermStats{100, 10});
    }
    vocab_ = std::make_unique<Vocabulary>(terms_, 1);
    map_.word_unit.assign(vocab_->size(), UnitMap::kNone);
    map_.spelling_slot.assign(vocab_->size(), UnitMap::kNone);
    for (const char* w : {"york", "city", "rain"}) map_.word_unit[Id(w)] = map_.units++;
    map_.bigram_unit[BigramKey(Id("new"), Id("york"))] = map_.units++;  // "new york" is a unit
  }
  uint32_t Id(const char* w) const { return vocab_->Find(w); }
  uint32_t Unit(const char* w) const { return map_.word_unit[Id(w)]; }
  static std::pair<uint32_t, uint32_t> Pair(uint32_t a, uint32_t b) {
    return {std::min(a, b), std::max(a, b)};
  }
  static uint64_t Count(const SortedPairCounts& c, std::pair<uint32_t, uint32_t> key) {
    return c.Get(key.first, key.second);
  }
  static Document Doc(const std::string& id, const std::vector<std::string_view>& fields) {
    Document d;
    d.id = id;
    d.fields = fields;
    return d;
  }

  // The unit pairs of one document holding `text`, counted with a window of 1.
  SortedPairCounts PairsOf(std::string_view text) const {
    CooccurrenceOptions options;
    options.window = 1;
    CooccurrenceCounter counter(TokenizerOptions{}, *vocab_, map_, options);
    const std::vector<std::string_view> fields = {text};
    counter.Add(Doc("d1", fields));
    return std::move(counter.counts().pairs);
  }

  TermTable terms_;
  std::unique_ptr<Vocabulary> vocab_;
  UnitMap map_;
};

TEST_F(CooccurrenceCounterTest, PhraseStartsFlagFirstWords) {
  map_.trigram_unit[TrigramKey(Id("rain"), Id("the"), Id("city"))] = UnitMap::kNone;
  map_.IndexPhraseStarts(vocab_->size());
  EXPECT_EQ(map_.phrase_starts[Id("new")], UnitMap::kStartsBigram);
  EXPECT_EQ(map_.phrase_starts[Id("rain")], UnitMap::kStartsTrigram);
  EXPECT_EQ(map_.phrase_starts[Id("york")], 0);
  // The pair filter flags each phrase's first two words (and, with 1024 slots for 2 phrases,
  // this other pair does not collide).
  EXPECT_EQ(map_.PairStarts(Id("new"), Id("york")), UnitMap::kStartsBigram);
  EXPECT_EQ(map_.PairStarts(Id("rain"), Id("the")), UnitMap::kStartsTrigram);
  EXPECT_EQ(map_.PairStarts(Id("york"), Id("city")), 0);
}

class PhraseStartModes : public CooccurrenceCounterTest,
                         public ::testing::WithParamInterface<bool> {};

TEST_P(PhraseStartModes, PairsWithinTheWindowOverPhraseUnits) {
  if (GetParam()) map_.IndexPhraseStarts(vocab_->size());  // else every position looks up
  const SortedPairCounts pairs = PairsOf("rain in new york city. rain");
  const uint32_t new_york = map_.units - 1;
  // "in" is outside the units and holds its place: rain and new york are not neighbours.
  EXPECT_EQ(Count(pairs, Pair(Unit("rain"), new_york)), 0u);
  EXPECT_EQ(Count(pairs, Pair(new_york, Unit("city"))), 1u);
  // "york" inside "new york" is not a unit of its own there.
  EXPECT_EQ(Count(pairs, Pair(Unit("york"), Unit("city"))), 0u);
  // The window is positional: it spans the full stop (only phrases stop at clause breaks).
  EXPECT_EQ(Count(pairs, Pair(Unit("city"), Unit("rain"))), 1u);
  EXPECT_EQ(pairs.size(), 2u);
}

TEST_P(PhraseStartModes, TrigramsBeforeBigramsAndNeverAcrossABreak) {
  map_.trigram_unit[TrigramKey(Id("rain"), Id("the"), Id("city"))] = map_.units++;
  const uint32_t rain_the_city = map_.units - 1;
  map_.bigram_unit[BigramKey(Id("rain"), Id("the"))] = map_.units++;
  const uint32_t rain_the = map_.units - 1;
  if (GetParam()) map_.IndexPhraseStarts(vocab_->size());
  // "rain the city" is one unit; the second "rain the" ends at a break, so it is the bigram.
  const SortedPairCounts pairs = PairsOf("york rain the city rain the. city");
  EXPECT_EQ(Count(pairs, Pair(Unit("york"), rain_the_city)), 1u);
  EXPECT_EQ(Count(pairs, Pair(rain_the_city, rain_the)), 1u);
  EXPECT_EQ(Count(pairs, Pair(rain_the, Unit("city"))), 1u);
  EXPECT_EQ(pairs.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(IndexedOrNot, PhraseStartModes, ::testing::Bool());

TEST_F(CooccurrenceCounterTest, SampledContextsAreTheSameHoweverDocumentsAreSplit) {
  // "the" has a slot sampled at a quarter, "teh" a slot that keeps all.
  map_.spelling_slot[Id("the")] = 0;
  map_.spelling_slot[Id("teh")] = 1;
  map_.slot_keep = {SampleThreshold(4000, 1000), SampleThreshold(5, 1000)};
  ASSERT_EQ(map_.slot_keep[1], UnitMap::kKeepAll);
  std::vector<std::string> ids;
  ids.reserve(2000);
  for (int i = 0; i < 2000; ++i) ids.push_back("doc-" + std::to_string(i));
  const std::vector<std::string_view> fields = {"rain the city", "york teh rain"};
  CooccurrenceOptions options;
  CooccurrenceCounter one(TokenizerOptions{}, *vocab_, map_, options);
  CooccurrenceCounter even(TokenizerOptions{}, *vocab_, map_, options);
  CooccurrenceCounter odd(TokenizerOptions{}, *vocab_, map_, options);
  for (int i = 0; i < 2000; ++i) {
    one.Add(Doc(ids[static_cast<size_t>(i)], fields));
    (i % 2 ? odd : even).Add(Doc(ids[static_cast<size_t>(i)], fields));
  }
  std::vector<CooccurrenceCounts*> parts = {&odd.counts(), &even.counts()};
  const CooccurrenceCounts merged = CooccurrenceCounts::Sum(parts, 2);
  const auto& a = one.counts().spelling_contexts;
  const auto& b = merged.spelling_contexts;
  const std::pair<uint32_t, uint32_t> the_rain{0, Unit("rain")}, teh_rain{1, Unit("rain")};
  EXPECT_EQ(Count(a, the_rain), Count(b, the_rain));
  EXPECT_EQ(Count(a, teh_rain), 2000u);  // kept in full
  EXPECT_EQ(Count(b, teh_rain), 2000u);
  // About a quarter of "the"'s 2000 occurrences (binomial: sd ~19).
  EXPECT_GT(Count(a, the_rain), 400u);
  EXPECT_LT(Count(a, the_rain), 600u);
  EXPECT_EQ(Count(a, the_rain), Count(a, {0, Unit("city")}));  // one choice per occurrence
  // Case counts stay exact.
  EXPECT_EQ(one.counts().slot_case[0].occurrences, 2000u);
}

TEST(SampleThreshold, KeepsAllUpToTheSampleAndAShareAbove) {
  EXPECT_EQ(SampleThreshold(10, 0), UnitMap::kKeepAll);
  EXPECT_EQ(SampleThreshold(1000, 1000), UnitMap::kKeepAll);
  EXPECT_EQ(SampleThreshold(2000, 1000), uint32_t{1} << 31);
  EXPECT_EQ(SampleThreshold(uint64_t{1} << 40, 1), 0u);
}

}  // namespace
}  // namespace nightjar
