#include "count/field_cache.h"

#include <map>
#include <string>
#include <vector>

#include "count/cooccurrence_counter.h"
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
  EXPECT_EQ(a.slot_occurrences, b.slot_occurrences);
  EXPECT_EQ(a.slot_capitalized, b.slot_capitalized);
  EXPECT_GT(a.slot_capitalized[0], 0u);  // "The" at the start of each text
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
  EXPECT_GT(phrases.counts().bigrams.Get(BigramKey(vocab_->Find("falls"), vocab_->Find("mainly"))),
            0u);
}

}  // namespace
}  // namespace nightjar
