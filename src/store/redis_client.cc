#include "store/redis_client.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <poll.h>

#include <charconv>
#include <thread>

#include "absl/strings/str_split.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

bool ParseInt(std::string_view s, int lo, int hi, int* out) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// Percent-decoding for the user and password parts.
bool Unescape(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    int v = 0;
    if (i + 2 >= in.size()) return false;
    auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
    if (ec != std::errc() || p != in.data() + i + 3) return false;
    out->push_back(static_cast<char>(v));
    i += 2;
  }
  return true;
}

bool IsNamespace(std::string_view ns) {
  if (ns.empty() || ns.size() > 64) return false;
  for (char c : ns) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<RedisEndpoint> ParseRedisUri(std::string_view uri) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("store.uri '{}': {}", uri, what));
  };
  constexpr std::string_view kScheme = "redis://";
  if (!uri.starts_with(kScheme)) return bad("expected redis://");
  std::string_view rest = uri.substr(kScheme.size());
  RedisEndpoint e;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = auth.find(':');
    std::string_view user =
        colon == std::string_view::npos ? std::string_view() : auth.substr(0, colon);
    std::string_view pass = colon == std::string_view::npos ? auth : auth.substr(colon + 1);
    if (!Unescape(user, &e.user) || !Unescape(pass, &e.password)) {
      return bad("bad percent-escape in user or password");
    }
  }
  std::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseInt(db, 0, 1 << 20, &e.db)) return bad("db must be a number");
  }
  if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    if (!ParseInt(hostport.substr(colon + 1), 1, 65535, &e.port)) return bad("bad port");
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) e.host = std::string(hostport);
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    std::string_view kv(part.data(), part.size());
    size_t eq = kv.find('=');
    std::string_view k = kv.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    int n = 0;
    if (k == "namespace") {
      if (!IsNamespace(v)) return bad("namespace must match [A-Za-z0-9_.-]{1,64}");
      e.ns = std::string(v);
    } else if (k == "timeout_ms") {
      if (!ParseInt(v, 1, 3600000, &n)) return bad("timeout_ms must be 1..3600000");
      e.command_timeout = absl::Milliseconds(n);
    } else if (k == "connect_timeout_ms") {
      if (!ParseInt(v, 1, 600000, &n)) return bad("connect_timeout_ms must be 1..600000");
      e.connect_timeout = absl::Milliseconds(n);
    } else if (k == "retries") {
      if (!ParseInt(v, 0, 100, &e.retries)) return bad("retries must be 0..100");
    } else if (k == "backoff_ms") {
      if (!ParseInt(v, 1, 60000, &n)) return bad("backoff_ms must be 1..60000");
      e.backoff = absl::Milliseconds(n);
    } else {
      return bad(fmt::format("unknown parameter '{}'", k));
    }
  }
  return e;
}

void RedisReply::Free::operator()(redisReply* r) const { freeReplyObject(r); }
bool RedisReply::is_nil() const { return reply_->type == REDIS_REPLY_NIL; }
bool RedisReply::is_array() const { return reply_->type == REDIS_REPLY_ARRAY; }
std::string_view RedisReply::str() const {
  if (reply_->type != REDIS_REPLY_STRING && reply_->type != REDIS_REPLY_STATUS) return {};
  return {reply_->str, reply_->len};
}
int64_t RedisReply::integer() const {
  return reply_->type == REDIS_REPLY_INTEGER ? reply_->integer : 0;
}
size_t RedisReply::size() const { return is_array() ? reply_->elements : 0; }
std::string_view RedisReply::element_str(size_t i) const {
  const redisReply* e = reply_->element[i];
  if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS) return {};
  return {e->str, e->len};
}

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Connect(
    const RedisEndpoint& endpoint) {
  std::unique_ptr<RedisConnection> c(new RedisConnection(endpoint));
  NJ_RETURN_IF_ERROR(c->Open());
  return c;
}

RedisConnection::~RedisConnection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

absl::Status RedisConnection::Open() {
  if (ctx_ != nullptr) redisFree(ctx_);
  pending_ = 0;
  broken_ = true;
  ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                 absl::ToTimeval(endpoint_.connect_timeout));
  if (ctx_ == nullptr) return absl::ResourceExhaustedError("redis: cannot allocate a context");
  if (ctx_->err != 0) {
    return absl::UnavailableError(
        fmt::format("redis {}:{}: connect: {}", endpoint_.host, endpoint_.port, ctx_->errstr));
  }
  redisSetTimeout(ctx_, absl::ToTimeval(endpoint_.command_timeout));
  redisEnableKeepAlive(ctx_);
  broken_ = false;
  if (!endpoint_.password.empty()) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
    auth.push_back(endpoint_.password);
    auto r = Command(auth);
    if (!r.ok()) {
      broken_ = true;
      return absl::PermissionDeniedError(fmt::format("redis {}:{}: AUTH failed: {}", endpoint_.host,
                                                     endpoint_.port,
                                                     std::string(r.status().message())));
    }
  }
  if (endpoint_.db != 0) {
    std::string db = std::to_string(endpoint_.db);
    auto r = Command({"SELECT", db});
    if (!r.ok()) {
      broken_ = true;
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::Status RedisConnection::Reconnect(int retries) {
  if (retries < 0) retries = endpoint_.retries;
  absl::Duration delay = endpoint_.backoff;
  absl::Status last = absl::UnavailableError("redis: no reconnect attempt");
  for (int attempt = 0; attempt <= retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(delay));
      delay *= 2;
    }
    last = Open();
    if (last.ok() || absl::IsPermissionDenied(last)) return last;
  }
  return last;
}

absl::Status RedisConnection::IoError(std::string_view what) {
  broken_ = true;
  return absl::UnavailableError(fmt::format("redis {}:{}: {}: {}", endpoint_.host, endpoint_.port,
                                            what, ctx_ != nullptr ? ctx_->errstr : "no context"));
}

absl::StatusOr<RedisReply> RedisConnection::TakeReply(void* r) {
  RedisReply reply(static_cast<redisReply*>(r));
  if (reply.raw()->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(
        fmt::format("redis: {}", std::string_view(reply.raw()->str, reply.raw()->len)));
  }
  return reply;
}

absl::StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string_view>& argv) {
  Append(argv);
  return GetReply();
}

void RedisConnection::Append(const std::vector<std::string_view>& argv) {
  if (broken_) return;
  std::vector<const char*> ptrs(argv.size());
  std::vector<size_t> lens(argv.size());
  for (size_t i = 0; i < argv.size(); ++i) {
    ptrs[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()) !=
      REDIS_OK) {
    broken_ = true;
    return;
  }
  ++pending_;
}

absl::StatusOr<RedisReply> RedisConnection::GetReply() {
  if (broken_) return IoError("connection lost");
  void* r = nullptr;
  if (redisGetReply(ctx_, &r) != REDIS_OK || r == nullptr) return IoError("read");
  --pending_;
  return TakeReply(r);
}

absl::Status RedisConnection::Send() {
  if (broken_) return IoError("connection lost");
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) return IoError("write");
  }
  return absl::OkStatus();
}

absl::Status RedisConnection::Sync() {
  absl::Status first;
  while (pending_ > 0) {
    auto r = GetReply();
    if (!r.ok()) {
      if (first.ok()) first = r.status();
      if (broken_) break;
    }
  }
  if (broken_ && first.ok()) first = IoError("connection lost");
  return first;
}

absl::StatusOr<RedisReply> RedisConnection::WaitForPush(absl::Duration timeout) {
  if (broken_) return IoError("connection lost");
  void* r = nullptr;
  if (redisGetReplyFromReader(ctx_, &r) != REDIS_OK) return IoError("read");
  if (r == nullptr) {
    pollfd p{ctx_->fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (n == 0) return absl::DeadlineExceededError("no message");
    if (n < 0) return IoError("poll");
    if (redisBufferRead(ctx_) != REDIS_OK) return IoError("read");
    if (redisGetReplyFromReader(ctx_, &r) != REDIS_OK) return IoError("read");
    if (r == nullptr) return absl::DeadlineExceededError("partial message");
  }
  return TakeReply(r);
}

}  // namespace nightjar
