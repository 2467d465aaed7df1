// Job progress against a real redis-server on a fake clock: counts, the completion marker,
// the rate over a recent window and the ETA from it, the last 10 errors, cancel, expiry.
#include "queue/job_progress.h"

#include <gtest/gtest.h>

#include "redis_server.h"

namespace nightjar {
namespace {

class JobProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto endpoint = ParseRedisUri(SharedRedisBase() + "/0?namespace=" + UniqueNamespace());
    ASSERT_TRUE(endpoint.ok());
    auto c = RedisConnection::Connect(*endpoint);
    ASSERT_TRUE(c.ok()) << c.status();
    conn_ = std::move(*c);
    options_.clock = &clock_;
    options_.window = absl::Seconds(10);
  }
  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  ProgressOptions options_;
  std::unique_ptr<RedisConnection> conn_;
};

TEST_F(JobProgressTest, CountsEachDocumentOnceAndFinishes) {
  JobProgress p(conn_.get(), "j1", options_);
  ASSERT_TRUE(p.Create("noop", 3).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(p.Create("noop", 3)));
  EXPECT_FALSE(*p.IsDone(0));
  EXPECT_TRUE(*p.MarkDone(0, "d0", std::nullopt));
  EXPECT_FALSE(*p.MarkDone(0, "d0", std::nullopt));  // a redelivered task: counted once
  EXPECT_TRUE(*p.IsDone(0));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(*p.MarkDone(2, "d2", std::string("schema mismatch")));
  auto s = p.Status();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->total, 3u);
  EXPECT_EQ(s->completed, 1u);
  EXPECT_EQ(s->failed, 1u);
  EXPECT_EQ(s->remaining, 1u);
  EXPECT_EQ(s->state, JobState::kRunning);
  ASSERT_EQ(s->errors.size(), 1u);
  EXPECT_EQ(s->errors[0].document, "d2");
  EXPECT_EQ(s->errors[0].message, "schema mismatch");
  EXPECT_EQ(s->errors[0].time, clock_.Now());
  EXPECT_EQ(s->last_update, clock_.Now());
  EXPECT_TRUE(*p.MarkDone(1, "d1", std::nullopt));
  s = p.Status();
  EXPECT_EQ(s->state, JobState::kDone);
  EXPECT_EQ(s->remaining, 0u);
  EXPECT_FALSE(s->eta.has_value());
  // Finished progress expires a week after the end.
  auto ttl = conn_->Command({"TTL", p.Key()});
  EXPECT_GT(ttl->integer(), 6 * 86400);
  EXPECT_LE(ttl->integer(), 7 * 86400);
  EXPECT_GT(conn_->Command({"TTL", p.Key("done")})->integer(), 0);
}

TEST_F(JobProgressTest, TheRateIsOverTheRecentWindowNotTheLifetime) {
  JobProgress p(conn_.get(), "j2", options_);
  ASSERT_TRUE(p.Create("noop", 1000).ok());
  uint64_t n = 0;
  // 20 s at 10 documents/s, then 10 s at 2/s: the window (10 s) sees only the slow part.
  for (int sec = 0; sec < 20; ++sec) {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(*p.MarkDone(n++, "d", std::nullopt));
    clock_.Advance(absl::Seconds(1));
  }
  for (int sec = 0; sec < 10; ++sec) {
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(*p.MarkDone(n++, "d", std::nullopt));
    clock_.Advance(absl::Seconds(1));
  }
  clock_.Advance(absl::Seconds(-1));  // now is in the last second that had updates
  auto s = p.Status();
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->rate, 2.0);
  EXPECT_EQ(s->remaining, 1000u - 220u);
  ASSERT_TRUE(s->eta.has_value());
  EXPECT_EQ(*s->eta, absl::Seconds(390));
  // Early in a job the rate is over the time since it started.
  JobProgress young(conn_.get(), "j3", options_);
  ASSERT_TRUE(young.Create("noop", 10).ok());
  clock_.Advance(absl::Seconds(2));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(*young.MarkDone(i, "d", std::nullopt));
  EXPECT_DOUBLE_EQ(young.Status()->rate, 2.0);
}

TEST_F(JobProgressTest, KeepsTheLastTenErrorsNewestFirst) {
  JobProgress p(conn_.get(), "j4", options_);
  ASSERT_TRUE(p.Create("noop", 50).ok());
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(*p.MarkDone(i, "doc" + std::to_string(i), "error " + std::to_string(i)));
  }
  auto s = p.Status();
  ASSERT_EQ(s->errors.size(), 10u);
  EXPECT_EQ(s->errors[0].document, "doc14");
  EXPECT_EQ(s->errors[9].document, "doc5");
  EXPECT_EQ(s->failed, 15u);
}

TEST_F(JobProgressTest, CancelStopsTheJobAndUnknownJobsAreNotFound) {
  JobProgress p(conn_.get(), "j5", options_);
  ASSERT_TRUE(p.Create("noop", 5).ok());
  EXPECT_EQ(*p.State(), JobState::kRunning);
  ASSERT_TRUE(p.Cancel().ok());
  EXPECT_EQ(*p.State(), JobState::kCancelled);
  EXPECT_GT(conn_->Command({"TTL", p.Key()})->integer(), 0);
  JobProgress none(conn_.get(), "nope", options_);
  EXPECT_TRUE(absl::IsNotFound(none.Status().status()));
  EXPECT_TRUE(absl::IsNotFound(none.State().status()));
  EXPECT_TRUE(absl::IsNotFound(none.MarkDone(0, "d", std::nullopt).status()));
  EXPECT_TRUE(absl::IsNotFound(none.Cancel()));
}

}  // namespace
}  // namespace nightjar

namespace nightjar {
namespace {

TEST_F(JobProgressTest, AGroupCommitsSeveralJobsDocumentsAndAcksTheirTasksInOneStep) {
  JobProgress a(conn_.get(), "ga", options_), b(conn_.get(), "gb", options_);
  ASSERT_TRUE(a.Create("noop", 2).ok());
  ASSERT_TRUE(b.Create("record", 3).ok());
  ASSERT_TRUE(*a.MarkDone(1, "a1", std::nullopt));
  ASSERT_TRUE(b.Cancel().ok());
  // A stream entry pending for a consumer, acked by the group.
  const std::string stream = a.Key("test-stream");
  ASSERT_TRUE(conn_->Command({"XGROUP", "CREATE", stream, "g", "0", "MKSTREAM"}).ok());
  auto id = conn_->Command({"XADD", stream, "*", "k", "v"});
  ASSERT_TRUE(conn_->Command({"XREADGROUP", "GROUP", "g", "c", "STREAMS", stream, ">"}).ok());
  const std::string result = a.Key("results");
  std::vector<DocumentCommit> docs = {
      {"ga", 0, "a0", std::nullopt, RedisResult{result, "a0", "1", true}},
      {"ga", 1, "a1", std::nullopt, std::nullopt},  // marked before: not counted again
      {"gb", 2, "b2", std::string("bad answer"), std::nullopt},
      {"gone", 0, "x", std::nullopt, std::nullopt}};
  auto out = JobProgress::CommitGroup(
      conn_.get(), docs, {AckRef{stream, a.Key("errors-hash"), "g", std::string(id->str())}},
      options_);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 4u);
  EXPECT_EQ((*out)[0].code, 1);
  EXPECT_EQ((*out)[0].state, JobState::kDone);  // its last document
  EXPECT_EQ((*out)[1].code, 0);
  EXPECT_EQ((*out)[2].code, 1);
  EXPECT_EQ((*out)[2].state, JobState::kCancelled);
  EXPECT_EQ((*out)[3].code, -1);
  EXPECT_EQ(conn_->Command({"HGET", result, "a0"})->str(), "1");
  EXPECT_EQ(b.Status()->failed, 1u);
  EXPECT_EQ(b.Status()->errors[0].message, "bad answer");
  EXPECT_EQ(conn_->Command({"XLEN", stream})->integer(), 0);  // acked and deleted
  EXPECT_EQ(conn_->Command({"XPENDING", stream, "g", "-", "+", "10"})->size(),
            0u);  // no longer pending
  // Probe: states and marks of runs of documents, one round trip.
  auto probe = JobProgress::Probe(conn_.get(), {{"ga", 0, 2}, {"gb", 1, 2}, {"gone", 0, 1}});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ((*probe)[0].state, JobState::kDone);
  EXPECT_EQ((*probe)[0].done, (std::vector<bool>{true, true}));
  EXPECT_EQ((*probe)[1].state, JobState::kCancelled);
  EXPECT_EQ((*probe)[1].done, (std::vector<bool>{false, true}));
  EXPECT_FALSE((*probe)[2].exists);
}

}  // namespace
}  // namespace nightjar
