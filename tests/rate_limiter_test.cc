// The shared rate limiter against a real redis-server, driven by a fake clock: exact permits
// over time, several limiters sharing one limit, runtime rate changes, throttles (Retry-After
// and AIMD) and the recovery after them.
#include "queue/rate_limiter.h"

#include <gtest/gtest.h>

#include "redis_server.h"

namespace nightjar {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto endpoint = ParseRedisUri(SharedRedisBase() + "/0?namespace=" + UniqueNamespace());
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    for (int i = 0; i < 4; ++i) {
      auto c = RedisConnection::Connect(*endpoint);
      ASSERT_TRUE(c.ok()) << c.status();
      conns_.push_back(std::move(*c));
    }
  }
  std::unique_ptr<RateLimiter> Limiter(int conn, RateLimitOptions o = {}) {
    o.clock = &clock_;
    auto l = RateLimiter::Open(conns_[conn].get(), o);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? std::move(*l) : nullptr;
  }
  // Permits granted when `limiters` each ask every `step` for `span` of fake time.
  int Granted(std::vector<std::unique_ptr<RateLimiter>>& limiters, absl::Duration span,
              absl::Duration step) {
    int granted = 0;
    for (absl::Duration t; t < span; t += step) {
      for (auto& l : limiters) {
        auto wait = l->TryAcquire();
        EXPECT_TRUE(wait.ok()) << wait.status();
        if (wait.ok() && *wait == absl::ZeroDuration()) ++granted;
      }
      clock_.Advance(step);
    }
    return granted;
  }

  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  std::vector<std::unique_ptr<RedisConnection>> conns_;
};

TEST_F(RateLimiterTest, SpacesCallsByTheRateAndSaysHowLongToWait) {
  auto l = Limiter(0);
  EXPECT_EQ(*l->TryAcquire(), absl::ZeroDuration());
  EXPECT_EQ(*l->TryAcquire(), absl::Milliseconds(100));  // 10 calls/s
  clock_.Advance(absl::Milliseconds(60));
  EXPECT_EQ(*l->TryAcquire(), absl::Milliseconds(40));
  clock_.Advance(absl::Milliseconds(40));
  EXPECT_EQ(*l->TryAcquire(), absl::ZeroDuration());
  auto s = l->Stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->granted, 2u);
  EXPECT_EQ(s->waits, 2u);
}

TEST_F(RateLimiterTest, EveryLimiterOfANameSharesOneLimit) {
  std::vector<std::unique_ptr<RateLimiter>> four;
  for (int i = 0; i < 4; ++i) four.push_back(Limiter(i));
  // Four workers asking every 10 ms for 30 s get 10 calls a second between them, not 40.
  EXPECT_EQ(Granted(four, absl::Seconds(30), absl::Milliseconds(10)), 300);
  RateLimitOptions other;
  other.name = "other-upstream";
  auto separate = Limiter(0, other);
  EXPECT_EQ(*separate->TryAcquire(), absl::ZeroDuration());  // its own limit
}

TEST_F(RateLimiterTest, BurstLetsCallsGoAtOnceAfterIdling) {
  RateLimitOptions o;
  o.burst = 5;
  auto l = Limiter(0, o);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*l->TryAcquire(), absl::ZeroDuration()) << i;
  EXPECT_GT(*l->TryAcquire(), absl::ZeroDuration());
}

TEST_F(RateLimiterTest, TheRateChangesAtRuntimeForEveryWorker) {
  auto a = Limiter(0);
  auto b = Limiter(1);
  ASSERT_TRUE(a->SetRate(20, 1).ok());
  std::vector<std::unique_ptr<RateLimiter>> both;
  both.push_back(std::move(a));
  both.push_back(std::move(b));
  EXPECT_EQ(Granted(both, absl::Seconds(10), absl::Milliseconds(5)), 200);
  EXPECT_EQ(both[1]->Stats()->rate, 20);
  EXPECT_FALSE(both[0]->SetRate(0, 1).ok());
}

TEST_F(RateLimiterTest, AThrottleHoldsEveryoneThenLowersTheRateAndRecovers) {
  RateLimitOptions o;
  o.increase = 0.1;
  auto a = Limiter(0, o);
  auto b = Limiter(1, o);
  ASSERT_EQ(*a->TryAcquire(), absl::ZeroDuration());
  ASSERT_TRUE(a->Throttled(absl::Seconds(2)).ok());
  ASSERT_TRUE(b->Throttled(absl::Seconds(2)).ok());  // the same storm: lowered once
  EXPECT_GE(*b->TryAcquire(), absl::Seconds(2) - absl::Milliseconds(1));
  auto s = a->Stats();
  EXPECT_DOUBLE_EQ(s->share, 0.5);
  EXPECT_EQ(s->throttles, 2u);
  clock_.Advance(absl::Seconds(2));
  // At half the rate calls are 200 ms apart; each granted one raises the share by 0.1.
  EXPECT_EQ(*a->TryAcquire(), absl::ZeroDuration());
  EXPECT_EQ(*a->TryAcquire(), absl::Milliseconds(200));
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(*a->TryAcquire());
    ASSERT_EQ(*a->TryAcquire(), absl::ZeroDuration());
  }
  EXPECT_DOUBLE_EQ(a->Stats()->share, 1.0);  // never above the configured rate
  EXPECT_EQ(*a->TryAcquire(), absl::Milliseconds(100));
}

TEST_F(RateLimiterTest, RepeatedThrottlesNeverGoBelowTheFloor) {
  RateLimitOptions o;
  o.floor = 0.2;
  auto l = Limiter(0, o);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(l->Throttled(absl::Milliseconds(10)).ok());
    clock_.Advance(absl::Seconds(2));
  }
  EXPECT_DOUBLE_EQ(l->Stats()->share, 0.2);
}

TEST_F(RateLimiterTest, WithoutAClockTheServersTimeIsTheOneClock) {
  RateLimitOptions o;
  auto l = RateLimiter::Open(conns_[0].get(), o);  // no clock: Redis TIME inside the script
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*(*l)->TryAcquire(), absl::ZeroDuration());
  const absl::Duration wait = *(*l)->TryAcquire();
  EXPECT_GT(wait, absl::ZeroDuration());
  EXPECT_LE(wait, absl::Milliseconds(100));
}

TEST_F(RateLimiterTest, BadOptionsFailFast) {
  RateLimitOptions o;
  o.rate = 0;
  EXPECT_FALSE(RateLimiter::Open(conns_[0].get(), o).ok());
  o.rate = 1;
  o.burst = 0;
  EXPECT_FALSE(RateLimiter::Open(conns_[0].get(), o).ok());
}

}  // namespace
}  // namespace nightjar
