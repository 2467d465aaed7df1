#include "state/count_merge.h"

#include <limits>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

TEST(CountEncodingTest, RoundTripsSignedCounts) {
  const int64_t v[] = {0, 1, -1, std::numeric_limits<int64_t>::max(),
                       std::numeric_limits<int64_t>::min()};
  const auto back = DecodeCounts(EncodeCounts(v));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, std::vector<int64_t>(std::begin(v), std::end(v)));
  EXPECT_FALSE(DecodeCounts("").has_value());
  EXPECT_FALSE(DecodeCounts(std::string(9, '\0')).has_value());           // no tag
  EXPECT_FALSE(DecodeCounts(EncodeCounts(v).substr(0, 12)).has_value());  // cut off
}

// A real RocksDB with the operator, as the state opens its count columns.
class CountMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.merge_operator = std::make_shared<CountMergeOperator>();
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.Sub("db"), &db).ok());
    db_.reset(db);
  }
  void Merge(std::string_view key, const std::string& operand) {
    ASSERT_TRUE(db_->Merge({}, key, operand).ok());
  }
  rocksdb::Status Get(std::string_view key, std::vector<int64_t>* out) {
    std::string v;
    rocksdb::Status s = db_->Get({}, key, &v);
    if (s.ok()) *out = DecodeCounts(v).value_or(std::vector<int64_t>{-999});
    return s;
  }
  static std::string Counts(std::initializer_list<int64_t> v) {
    return EncodeCounts(std::vector<int64_t>(v));
  }

  TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(CountMergeTest, DeltasAddUpBeforeAndAfterCompaction) {
  Merge("search", Counts({5, 2}));
  Merge("search", Counts({3, 1}));
  Merge("search", Counts({-2, -1}));  // a modified document took its old counts away
  std::vector<int64_t> got;
  ASSERT_TRUE(Get("search", &got).ok());
  EXPECT_EQ(got, (std::vector<int64_t>{6, 2}));
  ASSERT_TRUE(db_->CompactRange({}, nullptr, nullptr).ok());
  Merge("search", Counts({1, 1}));
  ASSERT_TRUE(Get("search", &got).ok());
  EXPECT_EQ(got, (std::vector<int64_t>{7, 3}));
}

TEST_F(CountMergeTest, AMalformedOperandFailsLoudlyInsteadOfCountingAsZero) {
  Merge("a", Counts({5, 2}));
  Merge("a", "junk");  // RocksDB's uint64add would read this as 0
  std::vector<int64_t> got;
  EXPECT_TRUE(Get("a", &got).IsCorruption());
  Merge("b", Counts({5, 2}));
  Merge("b", Counts({1}));  // another width
  EXPECT_TRUE(Get("b", &got).IsCorruption());
  Merge("c", Counts({std::numeric_limits<int64_t>::max()}));
  Merge("c", Counts({1}));
  EXPECT_TRUE(Get("c", &got).IsCorruption());
  Merge("d", Counts({4}));  // unaffected
  ASSERT_TRUE(Get("d", &got).ok());
  EXPECT_EQ(got, std::vector<int64_t>{4});
}

}  // namespace
}  // namespace nightjar
