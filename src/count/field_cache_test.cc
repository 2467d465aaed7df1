#include "count/field_cache.h"

#include <map>
#include <string>
#include <vector>

#include "count/cooccurrence_counter.h"
#include "count/corpus_counter.h"
#include "count/key_count_map_testing.h"
#include "count/phrase_counter.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

class FieldCacheTest : public ::testing::Test {
 protected:
  FieldCacheTest() {
    const char* words[] = {"the", "rain", "in", "spain", "falls", "mainly", "plain", "teh", "Rain"};
    uint64_t f = 1000;
    for (const char* w : words) terms_.Add(w, TermStats{f--, 10});
    vocab_ = std::make_unique<Vocabulary>(terms_, 1);
    map_.word_unit.assign(vocab_->size(), UnitMap::kNone);
    map_.spelling_slot.assign(vocab_->size(), UnitMap::kNone);
    for (const char* w : {"rain", "spain", "falls", "mainly", "plain"}) {
      map_.word_unit[vocab_->Find(w)] = map_.units++;
    }
    map_.bigram_unit[BigramKey(vocab_->Find("falls"), vocab_->Find("mainly"))] = map_.units++;
    map_.IndexPhraseStarts(vocab_->size());
    map_.spelling_slot[vocab_->Find("the")] = 0;
    map_.spelling_slot[vocab_->Find("teh")] = 1;
    map_.slot_keep = {SampleThreshold(1000, 300), UnitMap::kKeepAll};
    for (int i = 0; i < 300; ++i) {
      ids_.push_back("doc-" + std::to_string(i));
      texts_.push_back({"The rain in Spain falls mainly on the plain. teh rain",
                        i % 3 ? "" : "plain rain, the end", "falls mainly " + std::to_string(i)});
    }
  }
  Document Doc(size_t i) const {
    views_.assign(texts_[i].begin(), texts_[i].end());
    Document d;
    d.id = ids_[i];
    d.fields = views_;
    return d;
  }

  TermTable terms_;
  std::unique_ptr<Vocabulary> vocab_;
  UnitMap map_;
  std::vector<std::string> ids_;
  std::vector<std::vector<std::string>> texts_;
  mutable std::vector<std::string_view> views_;
};

TEST_F(FieldCacheTest, ReplayCountsWhatReadingAgainCounts) {
  FieldCache cache(size_t{1} << 20);
  PhraseCounter phrases(TokenizerOptions{}, *vocab_, vocab_->size(), false);
  phrases.KeepFieldsIn(&cache);
  CooccurrenceCounter reread(TokenizerOptions{}, *vocab_, map_, CooccurrenceOptions{});
  for (size_t i = 0; i < ids_.size(); ++i) {
    phrases.Add(Doc(i));
    reread.Add(Doc(i));
  }
  ASSERT_FALSE(cache.overflowed());
  EXPECT_EQ(cache.documents(), ids_.size());
  CooccurrenceCounter replayed(TokenizerOptions{}, *vocab_, map_, CooccurrenceOptions{});
  replayed.AddCached(cache);
  const CooccurrenceCounts& a = reread.counts();
  const CooccurrenceCounts& b = replayed.counts();
  EXPECT_GT(a.pairs.size(), 0u);
  EXPECT_EQ(ContentsOf(a.pairs), ContentsOf(b.pairs));
  EXPECT_GT(a.spelling_contexts.size(), 0u);
  EXPECT_EQ(ContentsOf(a.spelling_contexts), ContentsOf(b.spelling_contexts));  // same samples
  EXPECT_EQ(a.slot_case, b.slot_case);
  EXPECT_GT(a.slot_case[0].capitalized, 0u);  // "The" at the start of each text
}

TEST_F(FieldCacheTest, TheCountPassKeepsTheSameTextAsTermHashes) {
  // The count pass keeps hashes; resolved to ids they replay as the second pass's cache does,
  // and count the same bigrams, trigrams and (in the count pass) abbreviations.
  FieldCache second(size_t{1} << 20), first(size_t{1} << 20);
  PhraseCounter reading(TokenizerOptions{}, *vocab_, vocab_->size(), true);
  reading.KeepFieldsIn(&second);
  DocumentCounter counter(TokenizerOptions{});
  counter.KeepFieldsIn(&first);
  counter.CountAbbreviationsToo();
  texts_[4][1] = "the plain rain (PR) falls";
  for (size_t i = 0; i < ids_.size(); ++i) {
    reading.Add(Doc(i));
    counter.Add(Doc(i));
  }
  ASSERT_FALSE(first.overflowed());
  first.ResolveHashes(
      [&](uint64_t hash) {
        for (uint32_t id = 0; id < vocab_->size(); ++id) {
          if (CountTable::Hash(vocab_->term(id)) == hash) return id;
        }
        return Vocabulary::kNone;
      },
      [](uint64_t) {});
  std::vector<std::vector<uint32_t>> a, b;
  std::vector<std::vector<uint8_t>> breaks_a, breaks_b, caps_a, caps_b;
  second.ForEachField([&](uint64_t, uint64_t, const FieldView& f) {
    a.emplace_back(f.ids.begin(), f.ids.end());
    breaks_a.emplace_back(f.breaks.begin(), f.breaks.end());
    caps_a.emplace_back(f.capitals.begin(), f.capitals.end());
  });
  first.ForEachField([&](uint64_t, uint64_t, const FieldView& f) {
    b.emplace_back(f.ids.begin(), f.ids.end());
    breaks_b.emplace_back(f.breaks.begin(), f.breaks.end());
    caps_b.emplace_back(f.capitals.begin(), f.capitals.end());
  });
  EXPECT_EQ(a, b);
  EXPECT_EQ(breaks_a, breaks_b);
  EXPECT_EQ(caps_a, caps_b);
  PhraseCounter replayed(TokenizerOptions{}, *vocab_, vocab_->size(), false);
  replayed.AddCached(first);
  EXPECT_EQ(ContentsOf(replayed.counts().bigrams), ContentsOf(reading.counts().bigrams));
  EXPECT_EQ(ContentsOf(replayed.counts().trigrams), ContentsOf(reading.counts().trigrams));
  EXPECT_FALSE(reading.counts().abbreviations.empty());
  EXPECT_EQ(counter.abbreviations(), reading.counts().abbreviations);
}

TEST_F(FieldCacheTest, TheCountPassStopsKeepingTextPastTheBudget) {
  FieldCache small(3000);
  DocumentCounter counter(TokenizerOptions{});
  counter.KeepFieldsIn(&small);
  DocumentCounter plain(TokenizerOptions{});
  for (size_t i = 0; i < ids_.size(); ++i) {
    counter.Add(Doc(i));
    plain.Add(Doc(i));
  }
  EXPECT_TRUE(small.overflowed());
  EXPECT_EQ(small.bytes(), 0u);
  // The counts are those of a counter that kept nothing.
  EXPECT_EQ(counter.totals().tokens, plain.totals().tokens);
  EXPECT_EQ(counter.terms().Get("rain").frequency, plain.terms().Get("rain").frequency);
  EXPECT_EQ(counter.terms().Get("rain").doc_frequency, plain.terms().Get("rain").doc_frequency);
}

TEST_F(FieldCacheTest, PastTheBudgetItOverflowsAndLetsGo) {
  FieldCache cache(2000);
  PhraseCounter phrases(TokenizerOptions{}, *vocab_, vocab_->size(), false);
  phrases.KeepFieldsIn(&cache);
  for (size_t i = 0; i < ids_.size(); ++i) phrases.Add(Doc(i));
  EXPECT_TRUE(cache.overflowed());
  EXPECT_EQ(cache.documents(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  // The phrase counts themselves are unaffected.
  EXPECT_GT(phrases.counts().Bigram(vocab_->Find("falls"), vocab_->Find("mainly")), 0u);
}

}  // namespace
}  // namespace nightjar
