#ifndef NIGHTJAR_SCHEDULE_CRON_H_
#define NIGHTJAR_SCHEDULE_CRON_H_

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nightjar {

// A cron expression: five fields (minute hour day-of-month month day-of-week), or six with
// seconds first, or a macro (@yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly).
// Each field is *, a value, a range a-b, a step (*/n, a-b/n, a/n), or a comma list of those;
// months and days also by name (jan..dec, sun..sat); day-of-week 0 and 7 are Sunday; ? is *.
// When both day-of-month and day-of-week are restricted, a day matching either fires (the
// standard cron rule); otherwise both must match.
//
// Times are wall-clock times in an IANA zone, across DST transitions:
//  - a local time skipped by a spring-forward fires once, at the transition (the first instant
//    after the gap);
//  - a local time that occurs twice (fall-back) fires once, at its first occurrence.
class CronExpression {
 public:
  // InvalidArgument naming the field and what is wrong with it.
  [[nodiscard]] static absl::StatusOr<CronExpression> Parse(std::string_view text);

  // The first fire time strictly after `after`; nullopt when there is none within five years
  // (e.g. "0 0 30 2 *").
  std::optional<absl::Time> Next(absl::Time after, const absl::TimeZone& zone) const;

  const std::string& text() const { return text_; }

 private:
  bool DayMatches(const absl::CivilDay& day) const;

  std::string text_;
  std::bitset<60> seconds_, minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_any_ = true, weekdays_any_ = true;
};

// An IANA zone by name ("UTC", "Europe/Berlin"); InvalidArgument when unknown.
[[nodiscard]] absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name);

}  // namespace nightjar

#endif  // NIGHTJAR_SCHEDULE_CRON_H_
