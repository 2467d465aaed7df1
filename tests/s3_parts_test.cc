// The sharded refresh's s3:// parts against a real S3-protocol server: s3rver from npm, started
// by scripts/test on loopback (NIGHTJAR_TEST_S3_ENDPOINT, bucket nightjar-parts, its default
// credentials in the AWS_* variables). Without one the tests report themselves skipped.
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refresh/shard_parts.h"
#include "refresh/shard_testlib.h"
#include "store/part_store.h"
#include "store/s3_part_store.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace shard_testing;  // NOLINT(google-build-using-namespace): test helpers

class S3PartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("NIGHTJAR_TEST_S3_ENDPOINT");
    if (endpoint == nullptr) GTEST_SKIP() << "no S3 server (NIGHTJAR_TEST_S3_ENDPOINT)";
    endpoint_ = endpoint;
    static int n = 0;  // a prefix of its own for every test
    prefix_ = "t" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  }
  std::string Uri(const std::string& prefix) const {
    return "s3://nightjar-parts/" + prefix + "?endpoint=" + endpoint_;
  }
  std::string endpoint_, prefix_;
};

TEST_F(S3PartsTest, PutsGetsListsDatesAndRemovesObjects) {
  auto store = PartStore::Open(Uri(prefix_));
  ASSERT_TRUE(store.ok()) << store.status();
  PartStore& s = **store;
  const std::string big(3 << 20, 'x');  // more than one read or write buffer
  ASSERT_TRUE(s.Put("runs/r1/count/part-00001-of-00002", big).ok());
  ASSERT_TRUE(s.Put("runs/r1/count/part-00000-of-00002", "zero").ok());
  ASSERT_TRUE(s.Put("runs/r2/count/part-00000-of-00001", "other").ok());
  ASSERT_TRUE(s.Put("runs/r1/count/part-00000-of-00002", "zero again").ok());  // replaced whole
  EXPECT_EQ(s.Get("runs/r1/count/part-00001-of-00002")->value_or(""), big);
  EXPECT_EQ(s.Get("runs/r1/count/part-00000-of-00002")->value_or(""), "zero again");
  EXPECT_FALSE(s.Get("runs/r1/count/part-00002-of-00002")->has_value());
  auto listed = s.List("runs/r1/");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre("runs/r1/count/part-00000-of-00002",
                                   "runs/r1/count/part-00001-of-00002"));
  auto at = s.ModifiedAt("runs/r2/count/part-00000-of-00001");
  ASSERT_TRUE(at.ok() && at->has_value()) << at.status();
  EXPECT_LT(absl::AbsDuration(**at - absl::Now()), absl::Minutes(5));
  EXPECT_FALSE(s.ModifiedAt("runs/none/x")->has_value());
  ASSERT_TRUE(s.RemoveAll("runs/r1/").ok());
  EXPECT_THAT(*s.List("runs/"), ElementsAre("runs/r2/count/part-00000-of-00001"));
}

// s3rver checks the access key id (it accepts any v4 signature of a known key, so a wrong
// secret is not caught here; AWS catches it with the same 403 path).
TEST_F(S3PartsTest, AnUnknownAccessKeyFailsNamingTheServersAnswer) {
  const char* key = std::getenv("AWS_ACCESS_KEY_ID");
  const std::string saved = key != nullptr ? key : "";
  ::setenv("AWS_ACCESS_KEY_ID", "NOT-A-KEY", 1);
  auto store = PartStore::Open(Uri(prefix_));
  ::setenv("AWS_ACCESS_KEY_ID", saved.c_str(), 1);
  ASSERT_TRUE(store.ok());
  const absl::Status st = (*store)->Put("a", "b");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(st.message()), HasSubstr("HTTP 403 InvalidAccessKeyId"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("PUT a in s3://nightjar-parts/"));
}

TEST_F(S3PartsTest, ShardedRefreshOverS3PublishesWhatOneNodePublishes) {
  TempDir dir;
  const std::string corpus = WriteCorpus(dir);
  ASSERT_TRUE(Refresh(Options(dir, corpus, "single")).ok());
  const std::vector<std::string> single = PublishedLexicons("dir:" + dir.Sub("single"));
  ASSERT_GT(single.size(), 100u);
  const std::string parts = Uri(prefix_);
  for (uint32_t n : {1u, 2u, 4u, 8u}) {
    const std::string store = "sharded-" + std::to_string(n);
    auto r = ShardedRefresh(Options(dir, corpus, store), n, "n" + std::to_string(n), parts);
    ASSERT_TRUE(r.ok()) << n << ": " << r.status();
    EXPECT_EQ(PublishedLexicons("dir:" + dir.Sub(store)), single) << n << " shards";
  }
  // Every round of a shard run again writes the same object.
  auto s = PartStore::Open(parts);
  ASSERT_TRUE(s.ok());
  RefreshOptions o = Options(dir, corpus, "again");
  o.shard = ShardSettings{"", 2, 4, parts, "n4"};
  for (const char* round : {"count", "phrases", "context"}) {
    o.shard.round = round;
    const std::string name = ShardPartName("n4", round, 2, 4);
    const std::optional<std::string> before = *(*s)->Get(name);
    ASSERT_TRUE(before.has_value()) << name;
    ASSERT_TRUE(RunShardRound(o, kStart).ok());
    EXPECT_EQ(*(*s)->Get(name), before) << round;
  }
}

}  // namespace
}  // namespace nightjar
