#include "queue/rate_limiter.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "util/status_macros.h"

namespace nightjar {
namespace {

// Times are microseconds; the theoretical arrival time (TAT) is when the next call would be
// on schedule. A call may go when now >= TAT - interval * (burst - 1).
// KEYS: tat, config, share, stats. ARGV: rate, burst, now ("" = server time), increase.
// Returns 0 when granted (the TAT moves on by one interval), else the microseconds to wait.
constexpr char kAcquireScript[] = R"lua(
local now = tonumber(ARGV[3])
if ARGV[3] == '' then local t = redis.call('TIME'); now = t[1] * 1000000 + t[2] end
local rate = tonumber(redis.call('HGET', KEYS[2], 'rate') or ARGV[1])
local burst = tonumber(redis.call('HGET', KEYS[2], 'burst') or ARGV[2])
local share = tonumber(redis.call('HGET', KEYS[3], 'share') or '1')
local interval = 1000000 / (rate * share)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow_at = tat - interval * (burst - 1)
if now < allow_at then
  redis.call('HINCRBY', KEYS[4], 'waits', 1)
  return math.ceil(allow_at - now)
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX',
           math.ceil((next_tat - now) / 1000) + 60000)
if share < 1 then
  share = math.min(1, share + tonumber(ARGV[4]))
  if share >= 1 then redis.call('DEL', KEYS[3]) else redis.call('HSET', KEYS[3], 'share', share) end
end
redis.call('HINCRBY', KEYS[4], 'granted', 1)
return 0
)lua";

// KEYS: tat, share, stats. ARGV: now ("" = server time), hold (µs), decrease, floor.
// Holds every caller until now + hold, and lowers the share at most once per hold (or second):
// the workers that all met the same 429 storm lower it once, not once each.
constexpr char kThrottleScript[] = R"lua(
local now = tonumber(ARGV[1])
if ARGV[1] == '' then local t = redis.call('TIME'); now = t[1] * 1000000 + t[2] end
local hold = tonumber(ARGV[2])
local until_ = now + hold
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < until_ then
  redis.call('SET', KEYS[1], string.format('%.0f', until_), 'PX', math.ceil(hold / 1000) + 60000)
end
local last = tonumber(redis.call('HGET', KEYS[2], 'lowered_at') or '-1e18')
if now - last >= math.max(hold, 1000000) then
  local share = tonumber(redis.call('HGET', KEYS[2], 'share') or '1')
  share = math.max(tonumber(ARGV[4]), share * tonumber(ARGV[3]))
  redis.call('HSET', KEYS[2], 'share', share, 'lowered_at', string.format('%.0f', now))
end
redis.call('HINCRBY', KEYS[3], 'throttles', 1)
return 1
)lua";

absl::Status CheckOptions(const RateLimitOptions& o) {
  if (o.name.empty()) return absl::InvalidArgumentError("rate limit: name is empty");
  if (!(o.rate > 0)) return absl::InvalidArgumentError("rate limit: rate must be > 0");
  if (o.burst < 1) return absl::InvalidArgumentError("rate limit: burst must be >= 1");
  if (!(o.decrease > 0 && o.decrease <= 1)) {
    return absl::InvalidArgumentError("rate limit: decrease must be in (0, 1]");
  }
  if (!(o.floor > 0 && o.floor <= 1)) {
    return absl::InvalidArgumentError("rate limit: floor must be in (0, 1]");
  }
  if (!(o.increase >= 0)) return absl::InvalidArgumentError("rate limit: increase must be >= 0");
  return absl::OkStatus();
}

double Field(const RedisReply& hash, std::string_view name, double fallback) {
  for (size_t i = 0; i + 1 < hash.size(); i += 2) {
    if (hash.element_str(i) == name) {
      return std::strtod(std::string(hash.element_str(i + 1)).c_str(), nullptr);
    }
  }
  return fallback;
}

}  // namespace

RateLimiter::RateLimiter(RedisConnection* conn, RateLimitOptions options)
    : conn_(conn), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::Open(RedisConnection* conn,
                                                               RateLimitOptions options) {
  NJ_RETURN_IF_ERROR(CheckOptions(options));
  return std::unique_ptr<RateLimiter>(new RateLimiter(conn, std::move(options)));
}

std::string RateLimiter::Key(std::string_view part) const {
  return fmt::format("nightjar:{}:limit:{}:{}", conn_->endpoint().ns, options_.name, part);
}

std::string RateLimiter::NowArgument() const {
  if (options_.clock == nullptr) return "";
  return std::to_string(absl::ToUnixMicros(options_.clock->Now()));
}

absl::StatusOr<absl::Duration> RateLimiter::TryAcquire() {
  const std::string tat = Key("tat"), config = Key("config"), share = Key("share");
  const std::string stats = Key("stats"), now = NowArgument();
  const std::string rate = fmt::format("{}", options_.rate);
  const std::string burst = std::to_string(options_.burst);
  const std::string increase = fmt::format("{}", options_.increase);
  NJ_ASSIGN_OR_RETURN(RedisReply r, conn_->Command({"EVAL", kAcquireScript, "4", tat, config, share,
                                                    stats, rate, burst, now, increase}));
  return absl::Microseconds(r.integer());
}

absl::StatusOr<absl::Duration> RateLimiter::Acquire(
    const std::function<void(absl::Duration)>& sleep) {
  absl::Duration waited;
  for (;;) {
    NJ_ASSIGN_OR_RETURN(const absl::Duration wait, TryAcquire());
    if (wait <= absl::ZeroDuration()) return waited;
    sleep(wait);
    waited += wait;
  }
}

absl::Status RateLimiter::Throttled(absl::Duration retry_after) {
  const std::string tat = Key("tat"), share = Key("share"), stats = Key("stats");
  const std::string now = NowArgument();
  const std::string hold =
      std::to_string(absl::ToInt64Microseconds(std::max(retry_after, absl::ZeroDuration())));
  const std::string decrease = fmt::format("{}", options_.decrease);
  const std::string floor = fmt::format("{}", options_.floor);
  return conn_
      ->Command({"EVAL", kThrottleScript, "3", tat, share, stats, now, hold, decrease, floor})
      .status();
}

absl::Status RateLimiter::SetRate(double rate, int burst) {
  if (!(rate > 0) || burst < 1) {
    return absl::InvalidArgumentError("rate limit: rate must be > 0 and burst >= 1");
  }
  return conn_
      ->Command(
          {"HSET", Key("config"), "rate", fmt::format("{}", rate), "burst", std::to_string(burst)})
      .status();
}

absl::StatusOr<RateLimitStats> RateLimiter::Stats() {
  NJ_ASSIGN_OR_RETURN(RedisReply config, conn_->Command({"HGETALL", Key("config")}));
  NJ_ASSIGN_OR_RETURN(RedisReply share, conn_->Command({"HGETALL", Key("share")}));
  NJ_ASSIGN_OR_RETURN(RedisReply stats, conn_->Command({"HGETALL", Key("stats")}));
  RateLimitStats s;
  s.rate = Field(config, "rate", options_.rate);
  s.burst = static_cast<int>(Field(config, "burst", options_.burst));
  s.share = Field(share, "share", 1);
  s.granted = static_cast<uint64_t>(Field(stats, "granted", 0));
  s.waits = static_cast<uint64_t>(Field(stats, "waits", 0));
  s.throttles = static_cast<uint64_t>(Field(stats, "throttles", 0));
  return s;
}

}  // namespace nightjar
