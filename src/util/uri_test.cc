#include "util/uri.h"

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(RedactUriTest, HidesPasswordsAndNothingElse) {
  EXPECT_EQ(RedactUri("redis://user:secret@host:6379/0"), "redis://user:***@host:6379/0");
  EXPECT_EQ(RedactUri("redis://:secret@127.0.0.1:6379"), "redis://:***@127.0.0.1:6379");
  EXPECT_EQ(RedactUri("postgres://u:p@ss@db/x?sslmode=require"),
            "postgres://u:***@db/x?sslmode=require");
  EXPECT_EQ(RedactUri("postgres://db/x?user=u&password=hunter2&sslmode=disable"),
            "postgres://db/x?user=u&password=***&sslmode=disable");
  EXPECT_EQ(RedactUri("redis://user@host/0"), "redis://user@host/0");
  EXPECT_EQ(RedactUri("redis://host:6379/0?namespace=kb1"), "redis://host:6379/0?namespace=kb1");
  EXPECT_EQ(RedactUri("dir:./var/nightjar"), "dir:./var/nightjar");
  EXPECT_EQ(RedactUri("jsonl:/data/a@b.jsonl"), "jsonl:/data/a@b.jsonl");
  EXPECT_EQ(RedactUri(""), "");
}

}  // namespace
}  // namespace nightjar
