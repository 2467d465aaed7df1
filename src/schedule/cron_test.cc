#include "schedule/cron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightjar {
namespace {

using ::testing::HasSubstr;

absl::TimeZone Zone(const char* name) {
  auto z = LoadZone(name);
  EXPECT_TRUE(z.ok()) << z.status();
  return *z;
}

// Local civil time in `zone` as an instant (unique times only).
absl::Time At(const absl::TimeZone& zone, int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), zone);
}

std::string Local(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", t, zone);
}

// The next `n` fire times after `from`, as local strings.
std::vector<std::string> Fires(const std::string& expr, absl::Time from, const absl::TimeZone& z,
                               int n) {
  auto c = CronExpression::Parse(expr);
  EXPECT_TRUE(c.ok()) << c.status();
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto next = c->Next(from, z);
    if (!next) break;
    out.push_back(Local(*next, z));
    from = *next;
  }
  return out;
}

TEST(CronTest, FieldsRangesStepsListsAndNames) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time t0 = At(utc, 2026, 12, 7, 10, 7);  // a Monday
  EXPECT_THAT(Fires("*/15 * * * *", t0, utc, 3),
              ::testing::ElementsAre("2026-12-07 10:15:00 UTC", "2026-12-07 10:30:00 UTC",
                                     "2026-12-07 10:45:00 UTC"));
  EXPECT_THAT(Fires("0 2 * * *", t0, utc, 2),
              ::testing::ElementsAre("2026-12-08 02:00:00 UTC", "2026-12-09 02:00:00 UTC"));
  EXPECT_THAT(Fires("30 9-17/4 * * mon-fri", t0, utc, 4),
              ::testing::ElementsAre("2026-12-07 13:30:00 UTC", "2026-12-07 17:30:00 UTC",
                                     "2026-12-08 09:30:00 UTC", "2026-12-08 13:30:00 UTC"));
  EXPECT_THAT(Fires("0 0 1 JAN,jul *", t0, utc, 2),
              ::testing::ElementsAre("2027-01-01 00:00:00 UTC", "2027-07-01 00:00:00 UTC"));
  EXPECT_THAT(Fires("0 12 * * 7", t0, utc, 1),  // 7 is Sunday
              ::testing::ElementsAre("2026-12-13 12:00:00 UTC"));
  EXPECT_THAT(Fires("*/20 * * * * *", t0, utc, 2),  // seconds first
              ::testing::ElementsAre("2026-12-07 10:07:20 UTC", "2026-12-07 10:07:40 UTC"));
  EXPECT_THAT(Fires("5/20 0 * * *", t0, utc, 3),  // a/n: from a on
              ::testing::ElementsAre("2026-12-08 00:05:00 UTC", "2026-12-08 00:25:00 UTC",
                                     "2026-12-08 00:45:00 UTC"));
}

TEST(CronTest, DayOfMonthAndDayOfWeekBothRestrictedMatchEither) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  // The 13th, or any Friday.
  EXPECT_THAT(Fires("0 0 13 * fri", At(utc, 2026, 12, 7, 0, 0), utc, 3),
              ::testing::ElementsAre("2026-12-11 00:00:00 UTC", "2026-12-13 00:00:00 UTC",
                                     "2026-12-18 00:00:00 UTC"));
  // Only one restricted: both must hold (every Friday; the 13th only).
  EXPECT_THAT(Fires("0 0 * * fri", At(utc, 2026, 12, 7, 0, 0), utc, 1),
              ::testing::ElementsAre("2026-12-11 00:00:00 UTC"));
}

TEST(CronTest, Macros) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time t0 = At(utc, 2026, 12, 7, 10, 7);
  EXPECT_THAT(Fires("@daily", t0, utc, 1), ::testing::ElementsAre("2026-12-08 00:00:00 UTC"));
  EXPECT_THAT(Fires("@hourly", t0, utc, 1), ::testing::ElementsAre("2026-12-07 11:00:00 UTC"));
  EXPECT_THAT(Fires("@weekly", t0, utc, 1), ::testing::ElementsAre("2026-12-13 00:00:00 UTC"));
  EXPECT_THAT(Fires("@monthly", t0, utc, 1), ::testing::ElementsAre("2027-01-01 00:00:00 UTC"));
  EXPECT_THAT(Fires("@yearly", t0, utc, 1), ::testing::ElementsAre("2027-01-01 00:00:00 UTC"));
}

TEST(CronTest, ErrorsNameTheField) {
  auto msg = [](const char* e) { return std::string(CronExpression::Parse(e).status().message()); };
  EXPECT_THAT(msg("61 * * * *"), HasSubstr("minute"));
  EXPECT_THAT(msg("* 24 * * *"), HasSubstr("hour"));
  EXPECT_THAT(msg("* * 0 * *"), HasSubstr("day-of-month"));
  EXPECT_THAT(msg("* * * foo *"), HasSubstr("month"));
  EXPECT_THAT(msg("* * * * 8"), HasSubstr("day-of-week"));
  EXPECT_THAT(msg("*/0 * * * *"), HasSubstr("step"));
  EXPECT_THAT(msg("5-1 * * * *"), HasSubstr("ascending"));
  EXPECT_THAT(msg("* * * *"), HasSubstr("4 fields"));
  EXPECT_THAT(msg("@fortnightly"), HasSubstr("unknown macro"));
  EXPECT_THAT(msg("1,,2 * * * *"), HasSubstr("empty"));
  EXPECT_FALSE(LoadZone("Mars/Olympus_Mons").ok());
}

TEST(CronTest, NoFireTimeWithinFiveYearsIsNone) {
  auto c = CronExpression::Parse("0 0 30 2 *");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->Next(absl::UnixEpoch(), absl::UTCTimeZone()).has_value());
  auto leap = CronExpression::Parse("0 0 29 2 *");
  EXPECT_EQ(Local(*leap->Next(At(absl::UTCTimeZone(), 2026, 3, 1, 0, 0), absl::UTCTimeZone()),
                  absl::UTCTimeZone()),
            "2028-02-29 00:00:00 UTC");
}

// US spring forward, 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:xx does not exist.
TEST(CronTest, SpringForwardASkippedTimeFiresOnceAtTheTransition) {
  const absl::TimeZone ny = Zone("America/New_York");
  const absl::Time eve = At(ny, 2026, 3, 7, 12, 0);
  EXPECT_THAT(Fires("30 2 * * *", eve, ny, 3),
              ::testing::ElementsAre("2026-03-08 03:00:00 EDT", "2026-03-09 02:30:00 EDT",
                                     "2026-03-10 02:30:00 EDT"));
  // Every 20 minutes through the night: the three skipped times fire once, at 03:00.
  EXPECT_THAT(Fires("*/20 1-3 8 3 *", eve, ny, 6),
              ::testing::ElementsAre("2026-03-08 01:00:00 EST", "2026-03-08 01:20:00 EST",
                                     "2026-03-08 01:40:00 EST", "2026-03-08 03:00:00 EDT",
                                     "2026-03-08 03:20:00 EDT", "2026-03-08 03:40:00 EDT"));
  // A daily 2 AM job: 02:00 EST on the 7th, 03:00 EDT (the transition) on the 8th, 24 h
  // later in absolute time; then 02:00 EDT on the 9th, 23 h after that.
  auto c = CronExpression::Parse("0 2 * * *");
  const absl::Time before = *c->Next(At(ny, 2026, 3, 6, 12, 0), ny);
  const absl::Time a = *c->Next(before, ny), b = *c->Next(a, ny);
  EXPECT_EQ(Local(before, ny), "2026-03-07 02:00:00 EST");
  EXPECT_EQ(a - before, absl::Hours(24));
  EXPECT_EQ(b - a, absl::Hours(23));
}

// US fall back, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:xx happens twice.
TEST(CronTest, FallBackARepeatedTimeFiresOnceAtItsFirstOccurrence) {
  const absl::TimeZone ny = Zone("America/New_York");
  const absl::Time eve = At(ny, 2026, 10, 31, 12, 0);
  EXPECT_THAT(Fires("30 1 * * *", eve, ny, 2),
              ::testing::ElementsAre("2026-11-01 01:30:00 EDT", "2026-11-02 01:30:00 EST"));
  EXPECT_THAT(Fires("0 * 1 11 *", At(ny, 2026, 10, 31, 23, 30), ny, 4),
              ::testing::ElementsAre("2026-11-01 00:00:00 EDT", "2026-11-01 01:00:00 EDT",
                                     "2026-11-01 02:00:00 EST", "2026-11-01 03:00:00 EST"));
  // Asked from inside the second pass of 01:xx: it does not fire again.
  auto c = CronExpression::Parse("45 1 * * *");
  const absl::Time second_pass = absl::FromCivil(absl::CivilSecond(2026, 11, 1, 6, 20, 0),
                                                 absl::UTCTimeZone());  // 01:20 EST
  EXPECT_EQ(Local(*c->Next(second_pass, ny), ny), "2026-11-02 01:45:00 EST");
}

TEST(CronTest, OtherZonesAndTheirTransitions) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");  // 2026-03-29 02:00 -> 03:00
  EXPECT_THAT(Fires("15 2 * * *", At(berlin, 2026, 3, 28, 12, 0), berlin, 2),
              ::testing::ElementsAre("2026-03-29 03:00:00 CEST", "2026-03-30 02:15:00 CEST"));
  const absl::TimeZone kolkata = Zone("Asia/Kolkata");  // +05:30, no DST
  EXPECT_THAT(Fires("0 2 * * *", At(kolkata, 2026, 12, 7, 3, 0), kolkata, 1),
              ::testing::ElementsAre("2026-12-08 02:00:00 IST"));
}

}  // namespace
}  // namespace nightjar
