// The Lua scripts the Redis store runs; docs/redis-layout.md describes what each does.
#ifndef NIGHTJAR_STORE_REDIS_SCRIPTS_H_
#define NIGHTJAR_STORE_REDIS_SCRIPTS_H_

#include <string_view>

namespace nightjar {

// KEYS: current previous versions audit events. ARGV: target ("" = previous) action actor at
// force audit_max. Returns {version, previous, event JSON}.
inline constexpr std::string_view kActivateScript = R"lua(
local cur = redis.call('GET', KEYS[1])
local prev = redis.call('GET', KEYS[2])
local target = ARGV[1]
if target == '' then
  if not prev then return redis.error_reply('NOPREVIOUS there is no previous version to roll back to') end
  target = prev
end
local raw = redis.call('HGET', KEYS[3], target)
if not raw then return redis.error_reply('NOTFOUND version ' .. target .. ' not found') end
local st = cjson.decode(raw)
if st.state == 'building' then return redis.error_reply('BUILDING version ' .. target .. ' is still being built') end
if st.state == 'rejected' and ARGV[5] ~= '1' then
  return redis.error_reply('REJECTED version ' .. target .. ' was rejected (' .. tostring(st.note) .. '); activate it with --force to override')
end
local ev = cjson.encode({at=ARGV[4], action=ARGV[2], version=target, previous=cur or '', actor=ARGV[3]})
if cur == target then return {target, cur, ev} end
st.state = 'active'
st.activated_at = ARGV[4]
st.activated_by = ARGV[3]
if ARGV[5] == '1' and st.note ~= '' and string.sub(st.note, 1, 8) ~= 'forced: ' then st.note = 'forced: ' .. st.note end
redis.call('HSET', KEYS[3], target, cjson.encode(st))
if cur then
  local craw = redis.call('HGET', KEYS[3], cur)
  if craw then
    local c = cjson.decode(craw)
    c.state = 'retired'
    redis.call('HSET', KEYS[3], cur, cjson.encode(c))
  end
  redis.call('SET', KEYS[2], cur)
end
redis.call('SET', KEYS[1], target)
redis.call('LPUSH', KEYS[4], ev)
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[6]) - 1)
redis.call('PUBLISH', KEYS[5], ev)
return {target, cur or '', ev}
)lua";

// KEYS: current previous versions doomed. ARGV: version. Forgets the version and marks its
// keys for deletion, unless it is current or the rollback target.
inline constexpr std::string_view kForgetScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('GET', KEYS[2]) == ARGV[1] then
  return redis.error_reply('PROTECTED version ' .. ARGV[1] .. ' is the current version or the rollback target')
end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  return redis.error_reply('NOTFOUND version ' .. ARGV[1] .. ' not found')
end
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
)lua";

inline constexpr std::string_view kRenewScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)lua";

inline constexpr std::string_view kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_REDIS_SCRIPTS_H_
