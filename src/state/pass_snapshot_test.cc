#include "state/pass_snapshot.h"

#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

PhraseSnapshot Phrases(uint64_t seed) {
  PhraseSnapshot s;
  s.header = {"settings", 42, 1, 3};
  s.counts = PhraseCounts(1000);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 5000; ++i) {
    s.counts.bigrams.Add(BigramKey(rng() % 900, rng() % 70000), 1 + rng() % 3);
    s.counts.AddTrigram(rng() % 40, rng() % 40, rng() % 40);
  }
  s.counts.Flush();
  return s;
}

ContextSnapshot Contexts(uint64_t seed) {
  ContextSnapshot s;
  s.header = {"settings", 7, 2, 3};
  s.units = 300;
  s.slots = 20;
  SortedPairCounts::Options o;
  o.rows = 300;
  o.columns = 300;
  s.counts.pairs = SortedPairCounts(o);
  o.rows = 20;
  s.counts.spelling_contexts = SortedPairCounts(o);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 4000; ++i) {
    s.counts.pairs.Add(rng() % 300, static_cast<uint32_t>(rng() % 300));
    s.counts.spelling_contexts.Add(rng() % 20, static_cast<uint32_t>(rng() % 300));
  }
  s.counts.slot_case.resize(20);
  s.counts.slot_case[3] = {9, 4};
  return s;
}

TEST(PassSnapshotTest, PhraseCountsRoundTripAndTheBytesAreAFunctionOfThem) {
  PhraseSnapshot a = Phrases(1);
  const std::string bytes = EncodePhraseSnapshot(a);
  auto back = DecodePhraseSnapshot(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->header, a.header);
  EXPECT_TRUE(back->counts == a.counts);
  EXPECT_EQ(EncodePhraseSnapshot(*back), bytes);  // re-encoding a decoded part: the same bytes
  // Decoded parts sum like counted ones.
  PhraseSnapshot b = Phrases(2), b2 = Phrases(2);
  auto c = DecodePhraseSnapshot(EncodePhraseSnapshot(b));
  ASSERT_TRUE(c.ok());
  PhraseSnapshot a2 = Phrases(1);
  a2.counts.Merge(std::move(b2.counts));
  back->counts.Merge(std::move(c->counts));
  EXPECT_TRUE(back->counts == a2.counts);
}

TEST(PassSnapshotTest, ContextCountsRoundTrip) {
  ContextSnapshot a = Contexts(3);
  const std::string bytes = EncodeContextSnapshot(a);
  auto back = DecodeContextSnapshot(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->header, a.header);
  EXPECT_EQ(back->units, 300u);
  EXPECT_EQ(back->slots, 20u);
  EXPECT_TRUE(back->counts == a.counts);
  EXPECT_EQ(EncodeContextSnapshot(*back), bytes);
}

TEST(PassSnapshotTest, DamageAndTheWrongKindAreRefused) {
  PhraseSnapshot p = Phrases(4);
  const std::string bytes = EncodePhraseSnapshot(p);
  for (size_t i : {size_t{0}, size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_EQ(DecodePhraseSnapshot(bad).status().code(), absl::StatusCode::kDataLoss) << i;
  }
  auto wrong = DecodeContextSnapshot(bytes);  // a phrase part where a context part belongs
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(wrong.status().message()), ::testing::HasSubstr("context snapshot"));
}

}  // namespace
}  // namespace nightjar
