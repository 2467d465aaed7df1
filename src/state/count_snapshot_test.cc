#include "state/count_snapshot.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

CountSnapshot Sample() {
  CountSnapshot s;
  s.identity = "tokenizer=v1";
  s.shard = 2;
  s.shards = 4;
  s.totals.documents = 3;
  s.totals.deleted = 1;
  s.totals.tokens = 9;
  s.totals.text_bytes = 40;
  s.terms.Add("search", {5, 3});
  s.terms.Add("engine", {3, 2});
  s.terms.Add("caf\xc3\xa9", {1, 1});
  s.abbreviations.Add(AbbreviationCounts::Key("ML", "machine learning"), 2);
  s.id_hashes = {7, 19, 1ull << 63, UINT64_MAX};
  s.tombstone_hashes = {3, 20};
  s.from_state = true;
  s.state_digest = 0x9e3779b97f4a7c15;
  s.input_bytes = 1234;
  s.rejects = {{"bad_json", 2}, {"missing_id", 1}};
  s.damaged_files = {"/data/cut.jsonl.zst"};
  return s;
}

TEST(CountSnapshotTest, RoundTripsEveryField) {
  const CountSnapshot s = Sample();
  auto back = DecodeCountSnapshot(EncodeCountSnapshot(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->identity, s.identity);
  EXPECT_EQ(back->shard, 2u);
  EXPECT_EQ(back->shards, 4u);
  EXPECT_EQ(back->totals, s.totals);
  EXPECT_TRUE(back->terms == s.terms);
  EXPECT_TRUE(back->abbreviations == s.abbreviations);
  EXPECT_EQ(back->id_hashes, s.id_hashes);
  EXPECT_EQ(back->tombstone_hashes, s.tombstone_hashes);
  EXPECT_TRUE(back->from_state);
  EXPECT_EQ(back->state_digest, s.state_digest);
  EXPECT_EQ(back->input_bytes, 1234u);
  EXPECT_EQ(back->rejects, s.rejects);
  EXPECT_EQ(back->damaged_files, s.damaged_files);
}

TEST(CountSnapshotTest, TheBytesDependOnlyOnTheCounts) {
  CountSnapshot a = Sample();
  CountSnapshot b = Sample();
  b.terms = TermTable();  // the same terms added in another order, into a table of another size
  b.terms.Add("caf\xc3\xa9", {1, 1});
  b.terms.Add("engine", {3, 2});
  b.terms.Add("search", {5, 3});
  EXPECT_EQ(EncodeCountSnapshot(a), EncodeCountSnapshot(b));
  b.terms.Add("search", {1, 1});
  EXPECT_NE(EncodeCountSnapshot(a), EncodeCountSnapshot(b));
}

TEST(CountSnapshotTest, DamageIsDataLossNamingWhat) {
  const std::string good = EncodeCountSnapshot(Sample());
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    auto r = DecodeCountSnapshot(bad);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    if (i >= 8 && i < 12) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << i;  // the version
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << i;
    }
  }
  auto cut = DecodeCountSnapshot(good.substr(0, good.size() - 3));
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(cut.status().message()), HasSubstr("checksum"));
  auto other = DecodeCountSnapshot("{\"not\":\"a snapshot\"}");
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("bad magic"));
}

}  // namespace
}  // namespace nightjar
