#include "schedule/cron.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace nightjar {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* name;
  int lo, hi;
  const std::string_view* names = nullptr;  // names[i] is value i + name_base
  int name_count = 0, name_base = 0;
};

std::optional<int> Value(std::string_view s, const FieldSpec& f) {
  const std::string lower = absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
  for (int i = 0; i < f.name_count; ++i) {
    if (lower == f.names[i]) return i + f.name_base;
  }
  int v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// One field into `bits` (index = value); `any` is whether it was * (or ?).
template <size_t N>
absl::Status ParseField(std::string_view text, const FieldSpec& f, std::bitset<N>& bits,
                        bool& any) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("cron: {} field '{}': {}", f.name, text, why));
  };
  any = text == "*" || text == "?";
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    std::string_view p(part.data(), part.size());
    if (p.empty()) return bad("an empty list item");
    int step = 1;
    if (const size_t slash = p.find('/'); slash != std::string_view::npos) {
      auto s = Value(p.substr(slash + 1), FieldSpec{f.name, 1, f.hi});
      if (!s || *s < 1) return bad("the step must be a positive number");
      step = *s;
      p = p.substr(0, slash);
    }
    int lo = f.lo, hi = f.hi;
    if (p != "*" && p != "?") {
      const size_t dash = p.find('-');
      auto a = Value(p.substr(0, dash), f);
      if (!a) return bad(fmt::format("'{}' is not a value", p.substr(0, dash)));
      lo = hi = *a;
      if (dash != std::string_view::npos) {
        auto b = Value(p.substr(dash + 1), f);
        if (!b) return bad(fmt::format("'{}' is not a value", p.substr(dash + 1)));
        hi = *b;
      } else if (step > 1) {
        hi = f.hi;  // a/n: from a to the end
      }
    }
    if (lo < f.lo || hi > f.hi || lo > hi) {
      return bad(fmt::format("values must be in {}-{}, ascending", f.lo, f.hi));
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v));
  }
  return absl::OkStatus();
}

std::string_view Macro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return "";
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::InvalidArgumentError(fmt::format("time zone '{}' is not a known IANA zone", name));
  }
  return zone;
}

absl::StatusOr<CronExpression> CronExpression::Parse(std::string_view text) {
  std::string expanded(text);
  while (!expanded.empty() && absl::ascii_isspace(static_cast<unsigned char>(expanded.back()))) {
    expanded.pop_back();
  }
  if (!expanded.empty() && expanded.front() == '@') {
    const std::string_view m = Macro(expanded);
    if (m.empty()) {
      return absl::InvalidArgumentError(fmt::format(
          "cron: unknown macro '{}' (@yearly, @annually, @monthly, @weekly, @daily, @midnight, "
          "@hourly)",
          expanded));
    }
    expanded = std::string(m);
  }
  std::vector<std::string> fields =
      absl::StrSplit(expanded, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (fields.size() == 5) fields.insert(fields.begin(), "0");
  if (fields.size() != 6) {
    return absl::InvalidArgumentError(fmt::format(
        "cron: '{}' has {} fields; expected 5 (minute hour day month weekday), 6 (seconds "
        "first) or a macro",
        text, fields.size()));
  }
  CronExpression c;
  c.text_ = std::string(text);
  bool any = false;
  absl::Status st = ParseField(fields[0], FieldSpec{"second", 0, 59}, c.seconds_, any);
  if (st.ok()) st = ParseField(fields[1], FieldSpec{"minute", 0, 59}, c.minutes_, any);
  if (st.ok()) st = ParseField(fields[2], FieldSpec{"hour", 0, 23}, c.hours_, any);
  if (st.ok()) st = ParseField(fields[3], FieldSpec{"day-of-month", 1, 31}, c.days_, c.days_any_);
  if (st.ok()) {
    st = ParseField(fields[4], FieldSpec{"month", 1, 12, kMonths.data(), 12, 1}, c.months_, any);
  }
  if (st.ok()) {
    std::bitset<8> days;  // 0-7: 7 is Sunday too
    st = ParseField(fields[5], FieldSpec{"day-of-week", 0, 7, kDays.data(), 7, 0}, days,
                    c.weekdays_any_);
    for (size_t d = 0; d < 7; ++d) c.weekdays_[d] = days[d] || (d == 0 && days[7]);
  }
  if (!st.ok()) return st;
  return c;
}

bool CronExpression::DayMatches(const absl::CivilDay& day) const {
  const bool dom = days_[static_cast<size_t>(day.day())];
  // absl::Weekday: monday = 0 ... sunday = 6; cron: sunday = 0.
  const int wd = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;
  const bool dow = weekdays_[static_cast<size_t>(wd)];
  if (!days_any_ && !weekdays_any_) return dom || dow;  // both restricted: either
  return dom && dow;
}

std::optional<absl::Time> CronExpression::Next(absl::Time after, const absl::TimeZone& zone) const {
  absl::CivilSecond c = absl::ToCivilSecond(after, zone) + 1;
  const absl::CivilYear limit = absl::CivilYear(c) + 5;
  while (absl::CivilYear(c) <= limit) {
    if (!months_[static_cast<size_t>(c.month())]) {
      c = absl::CivilSecond(absl::CivilMonth(c) + 1);
    } else if (!DayMatches(absl::CivilDay(c))) {
      c = absl::CivilSecond(absl::CivilDay(c) + 1);
    } else if (!hours_[static_cast<size_t>(c.hour())]) {
      c = absl::CivilSecond(absl::CivilHour(c) + 1);
    } else if (!minutes_[static_cast<size_t>(c.minute())]) {
      c = absl::CivilSecond(absl::CivilMinute(c) + 1);
    } else if (!seconds_[static_cast<size_t>(c.second())]) {
      c = c + 1;
    } else {
      const absl::TimeZone::TimeInfo info = zone.At(c);
      // Skipped (spring forward): at the transition. Repeated (fall back): the first occurrence.
      const absl::Time t = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
      if (t > after) return t;
      c = c + 1;  // a gap's later times land on the same transition, or before `after`
    }
  }
  return std::nullopt;
}

}  // namespace nightjar
