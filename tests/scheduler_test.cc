// The scheduler against a real redis-server on a fake clock: fire times once each, a runtime
// change, two instances with one enqueue per fire time, failover, DST days, missed runs.
#include "schedule/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue/task_queue.h"
#include "redis_server.h"
#include "schedule/cron.h"
#include "worker/jobs.h"

namespace nightjar {
namespace {

using Kind = FireEvent::Kind;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
    auto endpoint = ParseRedisUri(uri_);
    ASSERT_TRUE(endpoint.ok());
    auto c = RedisConnection::Connect(*endpoint);
    ASSERT_TRUE(c.ok()) << c.status();
    conn_ = std::move(*c);
    store_ = std::make_unique<ScheduleStore>(conn_.get(), &clock_);
  }
  std::unique_ptr<Scheduler> Instance(const std::string& id,
                                      absl::Duration grace = absl::Hours(1)) {
    SchedulerOptions o;
    o.redis_uri = uri_;
    o.id = id;
    o.clock = &clock_;
    o.tick = absl::Seconds(1);
    o.lease = absl::Seconds(15);
    o.grace = grace;
    auto s = Scheduler::Open(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }
  void Put(const std::string& name, const std::string& cron, const std::string& zone = "UTC",
           const std::string& task = "noop") {
    Schedule s;
    s.name = name;
    s.cron = cron;
    s.zone = zone;
    s.task = task;
    s.args = {"doc-a"};
    ASSERT_TRUE(store_->Put(s).ok());
  }
  // Ticks every `step` of fake time over `span`, collecting every event of every instance.
  std::vector<FireEvent> Drive(const std::vector<Scheduler*>& instances, absl::Duration span,
                               absl::Duration step = absl::Seconds(1)) {
    std::vector<FireEvent> all;
    for (absl::Duration t; t < span; t += step) {
      clock_.Advance(step);
      for (Scheduler* s : instances) {
        auto r = s->Tick();
        EXPECT_TRUE(r.ok()) << r.status();
        if (r.ok()) all.insert(all.end(), r->events.begin(), r->events.end());
      }
    }
    return all;
  }
  static std::vector<std::string> Local(const std::vector<FireEvent>& events, Kind kind,
                                        const absl::TimeZone& zone) {
    std::vector<std::string> out;
    for (const FireEvent& e : events) {
      if (e.kind == kind) out.push_back(absl::FormatTime("%Y-%m-%d %H:%M %Z", e.fire_time, zone));
    }
    return out;
  }
  uint64_t Jobs() { return ListJobs(conn_.get(), 100000)->size(); }

  std::string uri_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 12, 7, 0, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<RedisConnection> conn_;
  std::unique_ptr<ScheduleStore> store_;
};

TEST_F(SchedulerTest, FiresEachFireTimeOnceOnItsQueue) {
  Put("every-15", "*/15 * * * *");
  auto s = Instance("a");
  auto events = Drive({s.get()}, absl::Hours(1), absl::Seconds(10));
  EXPECT_THAT(Local(events, Kind::kFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 00:15 UTC", "2026-12-07 00:30 UTC",
                                     "2026-12-07 00:45 UTC", "2026-12-07 01:00 UTC"));
  EXPECT_EQ(Jobs(), 4u);
  QueueOptions qo;
  auto q = TaskQueue::Open(conn_.get(), qo);
  EXPECT_EQ(*(*q)->Waiting("reprocessing"), 4u);  // noop's queue
}

TEST_F(SchedulerTest, AChangeAppliesAtTheNextTickWithoutARestart) {
  Put("nightly", "0 2 * * *");
  auto s = Instance("a");
  auto first = Drive({s.get()}, absl::Hours(3), absl::Minutes(1));
  EXPECT_THAT(Local(first, Kind::kFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 02:00 UTC"));
  Put("nightly", "30 3 * * *");  // changed while running
  auto second = Drive({s.get()}, absl::Hours(1), absl::Minutes(1));
  EXPECT_THAT(Local(second, Kind::kFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 03:30 UTC"));
  ASSERT_TRUE(store_->SetEnabled("nightly", false).ok());
  EXPECT_TRUE(
      Local(Drive({s.get()}, absl::Hours(24), absl::Minutes(5)), Kind::kFired, absl::UTCTimeZone())
          .empty());
  ASSERT_TRUE(store_->Remove("nightly").ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Get("nightly").status()));
}

TEST_F(SchedulerTest, TwoInstancesEnqueueOncePerFireTime) {
  Put("minutely", "* * * * *");
  auto a = Instance("a"), b = Instance("b");
  auto events = Drive({a.get(), b.get()}, absl::Minutes(30), absl::Seconds(5));
  EXPECT_EQ(Local(events, Kind::kFired, absl::UTCTimeZone()).size(), 30u);
  EXPECT_EQ(Jobs(), 30u);
  // Only the leader fires; the other sees nothing to do.
  EXPECT_TRUE(a->Tick()->leader);
  EXPECT_FALSE(b->Tick()->leader);
}

TEST_F(SchedulerTest, FailoverAfterTheLeaseLapsesWithoutAFireTwice) {
  Put("minutely", "* * * * *");
  auto a = Instance("a"), b = Instance("b");
  Drive({a.get(), b.get()}, absl::Minutes(5), absl::Seconds(5));
  ASSERT_EQ(Jobs(), 5u);
  // `a` dies (stops ticking) just after submitting 00:06 but before recording it.
  clock_.Advance(absl::Seconds(60));
  auto fired = a->Tick();
  ASSERT_EQ(fired->events.size(), 1u);
  ASSERT_EQ(fired->events[0].kind, Kind::kFired);
  ASSERT_TRUE(conn_->Command({"HDEL", store_->Key("schedule:last"), "minutely"}).ok());
  // `b` waits out the lease (15 s), then leads; the guard keeps 00:06 from firing again.
  std::vector<FireEvent> after = Drive({b.get()}, absl::Minutes(3), absl::Seconds(5));
  EXPECT_EQ(Jobs(), 9u);  // 00:01..00:09, each once
  EXPECT_THAT(Local(after, Kind::kAlreadyFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 00:06 UTC"));
  // A clean stop hands over at once.
  ASSERT_TRUE(b->Resign().ok());
  EXPECT_TRUE(a->Tick()->leader);
}

TEST_F(SchedulerTest, AFireTimeWhoseGuardIsSetIsNotSubmittedAgain) {
  Put("minutely", "* * * * *");
  auto a = Instance("a");
  Drive({a.get()}, absl::Minutes(1), absl::Seconds(5));
  ASSERT_EQ(Jobs(), 1u);
  // The bookkeeping lost (a crash between the submit and recording it): the same fire time
  // comes round again and meets its guard.
  ASSERT_TRUE(conn_->Command({"HDEL", store_->Key("schedule:last"), "minutely"}).ok());
  auto r = a->Tick();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].kind, Kind::kAlreadyFired);
  EXPECT_FALSE(r->events[0].job.empty());
  EXPECT_EQ(Jobs(), 1u);
}

TEST_F(SchedulerTest, AMissedRunRunsOnceWithinTheGraceAndIsLoggedEitherWay) {
  Put("hourly", "0 * * * *");
  auto a = Instance("a", absl::Minutes(90));
  Drive({a.get()}, absl::Minutes(30), absl::Minutes(1));  // 00:30
  // Every scheduler down from 00:30 to 03:20: 01:00, 02:00 and 03:00 were missed.
  clock_.Advance(absl::Minutes(170));
  auto r = a->Tick();
  EXPECT_THAT(Local(r->events, Kind::kMissed, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 01:00 UTC", "2026-12-07 02:00 UTC"));
  EXPECT_THAT(Local(r->events, Kind::kFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 03:00 UTC"));
  // Down again past the grace: nothing fires, the miss is logged with how late it is.
  clock_.Advance(absl::Hours(3) + absl::Minutes(10));  // 06:30; 06:00 is 30 min late: fires
  auto late = a->Tick();
  EXPECT_THAT(Local(late->events, Kind::kFired, absl::UTCTimeZone()),
              ::testing::ElementsAre("2026-12-07 06:00 UTC"));
  auto b = Instance("b", absl::Minutes(10));
  ASSERT_TRUE(a->Resign().ok());
  clock_.Advance(absl::Minutes(50));  // 07:20: 07:00 is 20 min late, past b's 10 min grace
  auto missed = b->Tick();
  ASSERT_EQ(missed->events.size(), 1u);
  EXPECT_EQ(missed->events[0].kind, Kind::kMissed);
  EXPECT_THAT(missed->events[0].detail, ::testing::HasSubstr("past the grace"));
  EXPECT_EQ(Jobs(), 2u);
}

TEST_F(SchedulerTest, DaylightSavingDaysInNewYork) {
  const absl::TimeZone ny = *LoadZone("America/New_York");
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 3, 7, 12, 0, 0), ny));
  Put("spring", "30 2 * * *", "America/New_York");
  Put("fall", "30 1 * * *", "America/New_York");
  auto s = Instance("a");
  auto spring = Drive({s.get()}, absl::Hours(48), absl::Minutes(5));
  std::vector<std::string> fired;
  for (const FireEvent& e : spring) {
    if (e.kind == Kind::kFired) {
      fired.push_back(e.schedule + " " + absl::FormatTime("%m-%d %H:%M %Z", e.fire_time, ny));
    }
  }
  // 02:30 does not exist on 03-08: it runs once at 03:00 EDT.
  EXPECT_THAT(fired, ::testing::ElementsAre("fall 03-08 01:30 EST", "spring 03-08 03:00 EDT",
                                            "fall 03-09 01:30 EDT", "spring 03-09 02:30 EDT"));
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 10, 31, 12, 0, 0), ny));
  Put("fall", "30 1 * * *", "America/New_York");
  ASSERT_TRUE(store_->SetEnabled("spring", false).ok());
  auto fall = Drive({s.get()}, absl::Hours(24), absl::Minutes(5));
  // 01:30 happens twice on 11-01: it runs once, at the first.
  EXPECT_THAT(Local(fall, Kind::kFired, ny), ::testing::ElementsAre("2026-11-01 01:30 EDT"));
}

TEST_F(SchedulerTest, BadSchedulesFailToBeSetWithTheReason) {
  Schedule s;
  s.name = "x";
  s.cron = "0 2 * *";
  s.task = "noop";
  EXPECT_THAT(store_->Put(s).message(), ::testing::HasSubstr("fields"));
  s.cron = "0 2 * * *";
  s.zone = "Nowhere/Land";
  EXPECT_THAT(store_->Put(s).message(), ::testing::HasSubstr("Nowhere/Land"));
  s.zone = "UTC";
  s.task = "teleport";
  EXPECT_THAT(store_->Put(s).message(), ::testing::HasSubstr("unknown task type"));
  s.task = "lexicon.refresh";
  s.name = "bad name";
  EXPECT_FALSE(store_->Put(s).ok());
}

}  // namespace
}  // namespace nightjar
