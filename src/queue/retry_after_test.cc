#include "queue/retry_after.h"

#include <gtest/gtest.h>

namespace nightjar {
namespace {

TEST(RetryAfterTest, DurationsAsHeadersWriteThem) {
  EXPECT_EQ(ParseHeaderDuration("2"), absl::Seconds(2));
  EXPECT_EQ(ParseHeaderDuration(" 0.5 "), absl::Milliseconds(500));
  EXPECT_EQ(ParseHeaderDuration("12ms"), absl::Milliseconds(12));
  EXPECT_EQ(ParseHeaderDuration("1s"), absl::Seconds(1));
  EXPECT_EQ(ParseHeaderDuration("6m0s"), absl::Minutes(6));
  EXPECT_EQ(ParseHeaderDuration("1h2m3.5s"),
            absl::Hours(1) + absl::Minutes(2) + absl::Seconds(3.5));
  EXPECT_EQ(ParseHeaderDuration("250us"), absl::Microseconds(250));
  EXPECT_FALSE(ParseHeaderDuration(""));
  EXPECT_FALSE(ParseHeaderDuration("soon"));
  EXPECT_FALSE(ParseHeaderDuration("-1"));
  EXPECT_FALSE(ParseHeaderDuration("5x"));
  EXPECT_FALSE(ParseHeaderDuration("1.2.3"));
}

TEST(RetryAfterTest, RetryAfterWinsThenExhaustedLimitsResets) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(
      RetryAfterFromHeaders({{"Retry-After", "3"}, {"x-ratelimit-reset-requests", "9s"}}, now),
      absl::Seconds(3));
  // An HTTP date: 1700000010 is Tue, 14 Nov 2023 22:13:30 GMT.
  EXPECT_EQ(RetryAfterFromHeaders({{"retry-after", "Tue, 14 Nov 2023 22:13:30 GMT"}}, now),
            absl::Seconds(10));
  // Only the exhausted limit's reset counts; the longest of several.
  EXPECT_EQ(RetryAfterFromHeaders({{"x-ratelimit-remaining-requests", "0"},
                                   {"x-ratelimit-reset-requests", "120ms"},
                                   {"x-ratelimit-remaining-tokens", "5000"},
                                   {"x-ratelimit-reset-tokens", "30s"}},
                                  now),
            absl::Milliseconds(120));
  EXPECT_EQ(RetryAfterFromHeaders({{"X-RateLimit-Reset", "2"}}, now), absl::Seconds(2));
  EXPECT_FALSE(RetryAfterFromHeaders({{"content-type", "application/json"}}, now));
  EXPECT_FALSE(RetryAfterFromHeaders({{"retry-after", "later"}}, now));
}

}  // namespace
}  // namespace nightjar
