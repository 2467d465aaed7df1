// The Redis Streams task queue against a real redis-server: taking by priority and queue
// weights without starvation, bounded prefetch, acks, hand-backs, heartbeats that keep a task
// from being claimed, claims of lapsed tasks, dead letters and their replay.
#include "queue/task_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "redis_server.h"

namespace nightjar {
namespace {

class TaskQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto endpoint = ParseRedisUri(SharedRedisBase() + "/0?namespace=" + UniqueNamespace());
    ASSERT_TRUE(endpoint.ok());
    endpoint_ = *endpoint;
  }
  // A consumer with its own connection.
  std::unique_ptr<TaskQueue> Consumer(const std::string& name, QueueOptions o = {}) {
    auto c = RedisConnection::Connect(endpoint_);
    EXPECT_TRUE(c.ok()) << c.status();
    conns_.push_back(std::move(*c));
    o.consumer = name;
    o.block = absl::Milliseconds(50);
    auto q = TaskQueue::Open(conns_.back().get(), o);
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? std::move(*q) : nullptr;
  }
  std::vector<TaskMessage> Tasks(const std::string& job, int n) {
    std::vector<TaskMessage> out;
    for (int i = 0; i < n; ++i)
      out.push_back({job, "noop", "[\"" + job + std::to_string(i) + "\"]"});
    return out;
  }

  RedisEndpoint endpoint_;
  std::vector<std::unique_ptr<RedisConnection>> conns_;
};

TEST_F(TaskQueueTest, TakesAcksAndKeepsTheMessage) {
  auto q = Consumer("w1");
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kNormal, {{"job1", "noop", "[\"d1\"]"}}).ok());
  EXPECT_EQ(*q->Waiting("reprocessing"), 1u);
  auto t = q->Take();
  ASSERT_TRUE(t.ok() && t->has_value()) << t.status();
  EXPECT_EQ((*t)->message.job, "job1");
  EXPECT_EQ((*t)->message.type, "noop");
  EXPECT_EQ((*t)->message.payload, "[\"d1\"]");
  EXPECT_EQ((*t)->deliveries, 1u);
  EXPECT_EQ(*q->Waiting("reprocessing"), 0u);
  ASSERT_TRUE(q->Ack(**t).ok());
  EXPECT_EQ(q->held(), 0u);
  auto none = q->Take();  // blocks for `block`, then nothing
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(TaskQueueTest, PrioritiesByWeightNoneStarved) {
  auto q = Consumer("w1");
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kLow, Tasks("low", 50)).ok());
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kHigh, Tasks("high", 50)).ok());
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kNormal, Tasks("normal", 50)).ok());
  std::map<std::string, int> taken;
  for (int i = 0; i < 40; ++i) {
    auto t = q->Take();
    ASSERT_TRUE(t.ok() && t->has_value());
    ++taken[(*t)->message.job];
    ASSERT_TRUE(q->Ack(**t).ok());
  }
  // Weights 6:3:1 over 40 takes while every priority has work.
  EXPECT_EQ(taken["high"], 24);
  EXPECT_EQ(taken["normal"], 12);
  EXPECT_EQ(taken["low"], 4);
}

TEST_F(TaskQueueTest, QueueWeightsAndIsolation) {
  QueueOptions both;
  both.queues = {{"reprocessing", 1}, {"lexicon", 3}};
  auto q = Consumer("w1", both);
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kNormal, Tasks("r", 40)).ok());
  ASSERT_TRUE(q->Enqueue("lexicon", Priority::kNormal, Tasks("l", 40)).ok());
  std::map<std::string, int> taken;
  for (int i = 0; i < 20; ++i) {
    auto t = q->Take();
    ASSERT_TRUE(t.ok() && t->has_value());
    ++taken[(*t)->queue];
    ASSERT_TRUE(q->Ack(**t).ok());
  }
  EXPECT_EQ(taken["lexicon"], 15);
  EXPECT_EQ(taken["reprocessing"], 5);
  // A worker serving only `lexicon` never sees the reprocessing flood.
  QueueOptions only;
  only.queues = {{"lexicon", 1}};
  auto l = Consumer("w2", only);
  for (int i = 0; i < 25; ++i) {
    auto t = l->Take();
    ASSERT_TRUE(t.ok() && t->has_value());
    EXPECT_EQ((*t)->queue, "lexicon");
    ASSERT_TRUE(l->Ack(**t).ok());
  }
}

TEST_F(TaskQueueTest, PrefetchIsBoundedSoAnIdleWorkerGetsTheRest) {
  QueueOptions o;
  o.prefetch = 2;
  auto busy = Consumer("busy", o);
  auto idle = Consumer("idle", o);
  ASSERT_TRUE(busy->Enqueue("reprocessing", Priority::kNormal, Tasks("j", 5)).ok());
  ASSERT_TRUE(busy->Take()->has_value());
  ASSERT_TRUE(busy->Take()->has_value());
  EXPECT_FALSE(busy->Take()->has_value());  // holds its prefetch: takes no more
  EXPECT_EQ(*busy->Waiting("reprocessing"), 3u);
  int got = 0;
  while (true) {
    auto t = idle->Take();
    ASSERT_TRUE(t.ok());
    if (!t->has_value()) break;
    ++got;
    ASSERT_TRUE(idle->Ack(**t).ok());
  }
  EXPECT_EQ(got, 3);
}

TEST_F(TaskQueueTest, OneTakeFetchesUpToThePrefetchAndTakeReadyHandsThemOut) {
  QueueOptions o;
  o.prefetch = 4;
  auto q = Consumer("batch", o);
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kNormal, Tasks("j", 3)).ok());
  ASSERT_TRUE(q->Enqueue("reprocessing", Priority::kHigh, Tasks("h", 3)).ok());
  auto first = q->Take();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->priority, Priority::kHigh);
  // The other three of the prefetch came with it: no round trip, the bound kept.
  EXPECT_EQ(*q->Waiting("reprocessing"), 2u);
  std::vector<HeldTask> ready = q->TakeReady();
  EXPECT_EQ(ready.size(), 3u);
  EXPECT_EQ(q->held(), 4u);
  EXPECT_TRUE(q->TakeReady().empty());
  for (const HeldTask& t : ready) ASSERT_TRUE(q->Ack(t).ok());
  ASSERT_TRUE(q->Ack(**first).ok());
  EXPECT_EQ(q->held(), 0u);
  int rest = 0;
  while (true) {
    auto t = q->Take();
    ASSERT_TRUE(t.ok());
    if (!t->has_value()) break;
    ++rest;
    ASSERT_TRUE(q->Ack(**t).ok());
  }
  EXPECT_EQ(rest, 2);
}

TEST_F(TaskQueueTest, ReleasedTasksGoBackForAnyone) {
  auto a = Consumer("a");
  auto b = Consumer("b");
  ASSERT_TRUE(a->Enqueue("reprocessing", Priority::kHigh, Tasks("j", 1)).ok());
  auto t = a->Take();
  ASSERT_TRUE(t->has_value());
  ASSERT_TRUE(a->Release(**t).ok());
  auto again = b->Take();
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->message.payload, (*t)->message.payload);
  EXPECT_EQ((*again)->priority, Priority::kHigh);
}

TEST_F(TaskQueueTest, AHeartbeatKeepsATaskTheLapsedOnesAreClaimed) {
  QueueOptions o;
  o.claim_after = absl::Milliseconds(300);
  auto alive = Consumer("alive", o);
  auto dead = Consumer("dead", o);
  auto other = Consumer("other", o);
  ASSERT_TRUE(alive->Enqueue("reprocessing", Priority::kNormal, Tasks("j", 2)).ok());
  auto kept = alive->Take();
  auto lost = dead->Take();
  ASSERT_TRUE(kept->has_value() && lost->has_value());
  // Longer than claim_after for both; only `alive` renews.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto renewed = alive->Heartbeat();
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->empty());
  auto claimed = other->ReclaimStale();
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->first, 1u);
  auto t = other->Take();
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->id, (*lost)->id);
  EXPECT_EQ((*t)->deliveries, 2u);
  // The lapsed holder learns at its next heartbeat that the task is no longer its own.
  auto gone = dead->Heartbeat();
  ASSERT_TRUE(gone.ok());
  EXPECT_THAT(*gone, ::testing::ElementsAre((*lost)->id));
  EXPECT_EQ(dead->held(), 0u);
}

TEST_F(TaskQueueTest, TooManyDeliveriesGoToTheDeadLettersAndReplay) {
  QueueOptions o;
  o.claim_after = absl::Milliseconds(100);
  o.max_deliveries = 2;
  auto first = Consumer("first", o);
  auto second = Consumer("second", o);
  auto third = Consumer("third", o);
  ASSERT_TRUE(first->Enqueue("reprocessing", Priority::kLow, {{"job9", "noop", "[\"x\"]"}}).ok());
  auto t = first->Take();
  ASSERT_TRUE(t->has_value());
  ASSERT_TRUE(first->RecordError(**t, "upstream said 500").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(second->ReclaimStale()->first, 1u);  // delivery 2
  ASSERT_TRUE(second->Take()->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto moved = third->ReclaimStale();
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->first, 0u);
  EXPECT_EQ(moved->second, 1u);
  auto dead = third->DeadLetters("reprocessing");
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].message.job, "job9");
  EXPECT_EQ((*dead)[0].deliveries, 2u);
  EXPECT_EQ((*dead)[0].last_error, "upstream said 500");
  EXPECT_EQ((*dead)[0].priority, Priority::kLow);
  EXPECT_EQ(*third->ReplayDead("reprocessing", "other-job"), 0u);
  EXPECT_EQ(*third->ReplayDead("reprocessing", "job9"), 1u);
  EXPECT_TRUE(third->DeadLetters("reprocessing")->empty());
  auto replayed = third->Take();
  ASSERT_TRUE(replayed.ok() && replayed->has_value());
  EXPECT_EQ((*replayed)->message.payload, "[\"x\"]");
  EXPECT_EQ((*replayed)->deliveries, 1u);
}

TEST_F(TaskQueueTest, BadOptionsFailFast) {
  auto c = RedisConnection::Connect(endpoint_);
  ASSERT_TRUE(c.ok());
  QueueOptions o;
  o.queues = {};
  EXPECT_FALSE(TaskQueue::Open(c->get(), o).ok());
  o.queues = {{"q", 0}};
  EXPECT_FALSE(TaskQueue::Open(c->get(), o).ok());
  EXPECT_FALSE(ParsePriority("urgent").ok());
  EXPECT_EQ(*ParsePriority("low"), Priority::kLow);
}

}  // namespace
}  // namespace nightjar
