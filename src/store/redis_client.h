#ifndef NIGHTJAR_STORE_REDIS_CLIENT_H_
#define NIGHTJAR_STORE_REDIS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;
struct redisReply;

namespace nightjar {

// Where and how to reach Redis, parsed from
// redis://[user:password@]host[:port][/db][?namespace=NAME&timeout_ms=N&retries=N].
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;                  // SELECTed after connecting
  std::string user;            // ACL user; empty = the default user
  std::string password;        // empty = no AUTH
  std::string ns = "default";  // key prefix "nightjar:<ns>:" ([A-Za-z0-9_.-]{1,64})
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration command_timeout = absl::Seconds(30);  // per reply
  int retries = 5;                                     // reconnect attempts after a lost connection
  absl::Duration backoff = absl::Milliseconds(200);    // first retry delay, doubled each time
};

// InvalidArgument naming the part of the URI that is wrong.
[[nodiscard]] absl::StatusOr<RedisEndpoint> ParseRedisUri(std::string_view uri);

// An owned reply. Null only for a moved-from object.
class RedisReply {
 public:
  explicit RedisReply(redisReply* r) : reply_(r) {}
  RedisReply(RedisReply&&) noexcept = default;
  RedisReply& operator=(RedisReply&&) noexcept = default;
  bool is_nil() const;
  bool is_array() const;
  std::string_view str() const;  // string or status reply; "" otherwise
  int64_t integer() const;       // integer reply; 0 otherwise
  size_t size() const;           // array length
  std::string_view element_str(size_t i) const;
  const redisReply* raw() const { return reply_.get(); }

 private:
  struct Free {
    void operator()(redisReply* r) const;
  };
  std::unique_ptr<redisReply, Free> reply_;
};

// One connection, synchronous, with pipelining. Arguments always go through hiredis's argv API
// (binary-safe; data never lands in a format string). Not thread-safe.
//
// Errors: an error reply is FailedPrecondition carrying Redis's message; a lost or timed-out
// connection is Unavailable and leaves the connection broken until Reconnect().
class RedisConnection {
 public:
  // Connects, AUTHs and SELECTs.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RedisConnection>> Connect(
      const RedisEndpoint& endpoint);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  [[nodiscard]] absl::StatusOr<RedisReply> Command(const std::vector<std::string_view>& argv);
  // Queues a command; its reply comes from a later GetReply (in order).
  void Append(const std::vector<std::string_view>& argv);
  [[nodiscard]] absl::StatusOr<RedisReply> GetReply();
  // Writes queued commands to the socket now, without reading replies (so the server can work
  // on them while the caller does something else).
  [[nodiscard]] absl::Status Send();
  // Sends queued commands and reads one reply per queued command; the first error wins but all
  // replies are consumed.
  [[nodiscard]] absl::Status Sync();
  size_t pending() const { return pending_; }

  // Waits up to `timeout` for a pushed message (pub/sub); nullopt-like empty reply on timeout is
  // reported as DeadlineExceeded.
  [[nodiscard]] absl::StatusOr<RedisReply> WaitForPush(absl::Duration timeout);

  // Drops the connection and connects again (AUTH, SELECT), backing off between attempts as the
  // endpoint says; `retries` >= 0 overrides the endpoint's retry count (0 = one attempt).
  [[nodiscard]] absl::Status Reconnect(int retries = -1);
  bool broken() const { return broken_; }
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  explicit RedisConnection(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {}
  absl::Status Open();
  absl::Status IoError(std::string_view what);
  absl::StatusOr<RedisReply> TakeReply(void* r);

  RedisEndpoint endpoint_;
  redisContext* ctx_ = nullptr;
  size_t pending_ = 0;
  bool broken_ = false;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_REDIS_CLIENT_H_
