// The PostgreSQL source without a server: opening fails fast, naming the server without its
// password. Everything that needs a server is in tests/postgres_source_test.cc.
#include "corpus/postgres_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightjar {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PostgresSourceOpenTest, NoServerFailsFastAndNeverShowsThePassword) {
  SourceOptions o;
  o.uri = "postgres://app:s3cret@127.0.0.1:1/kb?connect_timeout=2&table=documents";
  RejectLog log;
  auto s = PostgresSource::Open(o, &log);
  ASSERT_FALSE(s.ok());
  const std::string message(s.status().message());
  EXPECT_THAT(message, HasSubstr("cannot connect"));
  EXPECT_THAT(message, HasSubstr("app:***@127.0.0.1:1/kb"));
  EXPECT_THAT(message, Not(HasSubstr("s3cret")));
  auto via_open = DocumentSource::Open(o, &log);
  ASSERT_FALSE(via_open.ok());
  EXPECT_THAT(std::string(via_open.status().message()), Not(HasSubstr("s3cret")));
}

TEST(PostgresSourceOpenTest, UnknownSchemesNameTheSupportedOnes) {
  SourceOptions o;
  o.uri = "mysql://u:pw@h/db";
  RejectLog log;
  auto s = DocumentSource::Open(o, &log);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("postgres://"));
  EXPECT_THAT(std::string(s.status().message()), Not(HasSubstr("pw")));
}

}  // namespace
}  // namespace nightjar
