#include "store/redis_client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(RedisUriTest, ParsesEveryPart) {
  auto e = ParseRedisUri(
      "redis://ops:p%40ss%3Aword@cache.internal:6380/3?namespace=kb-1&"
      "timeout_ms=500&retries=2&backoff_ms=10&connect_timeout_ms=100");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->user, "ops");
  EXPECT_EQ(e->password, "p@ss:word");
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 3);
  EXPECT_EQ(e->ns, "kb-1");
  EXPECT_EQ(e->command_timeout, absl::Milliseconds(500));
  EXPECT_EQ(e->connect_timeout, absl::Milliseconds(100));
  EXPECT_EQ(e->retries, 2);
  EXPECT_EQ(e->backoff, absl::Milliseconds(10));
}

TEST(RedisUriTest, DefaultsAndPasswordOnly) {
  auto e = ParseRedisUri("redis://:hunter2@localhost");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->password, "hunter2");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  EXPECT_EQ(e->ns, "default");
  auto bare = ParseRedisUri("redis://");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "127.0.0.1");
}

TEST(RedisUriTest, BadPartsAreNamed) {
  auto msg = [](const char* uri) {
    auto e = ParseRedisUri(uri);
    EXPECT_FALSE(e.ok()) << uri;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(e.status().message());
  };
  EXPECT_THAT(msg("http://x"), ::testing::HasSubstr("expected redis://"));
  EXPECT_THAT(msg("redis://h:99999"), ::testing::HasSubstr("bad port"));
  EXPECT_THAT(msg("redis://h/x"), ::testing::HasSubstr("db must be a number"));
  EXPECT_THAT(msg("redis://h?namespace=a:b"), ::testing::HasSubstr("namespace"));
  EXPECT_THAT(msg("redis://h?colour=red"), ::testing::HasSubstr("unknown parameter 'colour'"));
  EXPECT_THAT(msg("redis://u:%zz@h"), ::testing::HasSubstr("percent-escape"));
}

TEST(RedisConnectionTest, UnreachableServerIsUnavailable) {
  RedisEndpoint e;
  e.port = 1;  // nothing listens there
  e.connect_timeout = absl::Milliseconds(200);
  auto c = RedisConnection::Connect(e);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace nightjar
