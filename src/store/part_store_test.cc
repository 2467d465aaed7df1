#include "store/part_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/s3_part_store.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;

TEST(PartStoreTest, DirStorePutsGetsListsAndRemoves) {
  TempDir dir;
  auto store = PartStore::Open("dir:" + dir.Sub("parts"));
  ASSERT_TRUE(store.ok()) << store.status();
  PartStore& s = **store;
  ASSERT_TRUE(s.Put("runs/r1/count/part-00001-of-00002", "one").ok());
  ASSERT_TRUE(s.Put("runs/r1/count/part-00000-of-00002", "zero").ok());
  ASSERT_TRUE(s.Put("runs/r2/count/part-00000-of-00001", "other run").ok());
  ASSERT_TRUE(s.Put("runs/r1/count/part-00001-of-00002", "one again").ok());  // replaced whole
  EXPECT_EQ(s.Get("runs/r1/count/part-00001-of-00002")->value_or(""), "one again");
  EXPECT_FALSE(s.Get("runs/r1/count/part-00002-of-00002")->has_value());
  // A write under way (or abandoned by a killed pod) is not an object.
  std::ofstream(dir.Sub("parts/runs/r1/count/part-00003-of-00004.tmp.1.ab")) << "half";
  EXPECT_THAT(*s.List("runs/r1/"), ElementsAre("runs/r1/count/part-00000-of-00002",
                                               "runs/r1/count/part-00001-of-00002"));
  EXPECT_THAT(*s.List("runs/"), ::testing::SizeIs(3));
  EXPECT_TRUE(s.List("runs/none/")->empty());
  ASSERT_TRUE(s.RemoveAll("runs/r1/").ok());
  EXPECT_THAT(*s.List("runs/"), ElementsAre("runs/r2/count/part-00000-of-00001"));
  EXPECT_TRUE(s.RemoveAll("runs/none/").ok());
}

TEST(PartStoreTest, PruneRunsRemovesRunsWhoseNewestPartIsOld) {
  TempDir dir;
  auto store = PartStore::Open("dir:" + dir.path());
  ASSERT_TRUE(store.ok());
  PartStore& s = **store;
  for (const char* name : {"runs/old/count/part-00000-of-00001", "runs/mixed/count/a",
                           "runs/mixed/phrases/b", "runs/current/count/a", "runs/new/count/a"}) {
    ASSERT_TRUE(s.Put(name, "x").ok());
  }
  const absl::Time now = *s.ModifiedAt("runs/new/count/a").value() + absl::Hours(24 * 10);
  // Age every object but one of "mixed" and those of "new" by touching their times.
  auto age = [&](const std::string& name, absl::Duration ago) {
    const timespec t = absl::ToTimespec(now - ago);
    const timespec times[2] = {t, t};
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir.path() + "/" + name).c_str(), times, 0), 0);
  };
  age("runs/old/count/part-00000-of-00001", absl::Hours(24 * 8));
  age("runs/mixed/count/a", absl::Hours(24 * 8));
  age("runs/mixed/phrases/b", absl::Hours(24 * 2));  // its newest part is recent: kept
  age("runs/current/count/a", absl::Hours(24 * 30));
  age("runs/new/count/a", absl::Hours(1));
  auto removed = PruneRuns(s, now, absl::Hours(24 * 7), "current");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(*removed, ElementsAre("old"));
  EXPECT_THAT(*s.List("runs/"), ElementsAre("runs/current/count/a", "runs/mixed/count/a",
                                            "runs/mixed/phrases/b", "runs/new/count/a"));
  EXPECT_FALSE(s.ModifiedAt("runs/old/count/part-00000-of-00001")->has_value());
}

TEST(PartStoreTest, S3UrisNameBucketPrefixEndpointAndCredentials) {
  std::map<std::string, std::string> vars = {{"AWS_ACCESS_KEY_ID", "AK"},
                                             {"AWS_SECRET_ACCESS_KEY", "SK"},
                                             {"AWS_DEFAULT_REGION", "eu-west-1"}};
  auto env = [&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  auto s3 = ParseS3Uri("s3://bucket/some/prefix?endpoint=http://127.0.0.1:9000/", env);
  ASSERT_TRUE(s3.ok()) << s3.status();
  EXPECT_EQ(s3->bucket, "bucket");
  EXPECT_EQ(s3->prefix, "some/prefix/");
  EXPECT_EQ(s3->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(s3->region, "eu-west-1");
  EXPECT_EQ(s3->access_key, "AK");
  EXPECT_EQ(s3->session_token, "");
  auto aws = ParseS3Uri("s3://bucket?region=us-west-2", env);
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->endpoint, "https://s3.us-west-2.amazonaws.com");
  EXPECT_EQ(aws->prefix, "");
  for (const char* bad : {"s3://", "s3://b?color=red", "s3://b?endpoint=ftp://x", "s3://b/../x"}) {
    EXPECT_EQ(ParseS3Uri(bad, env).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  vars.erase("AWS_SECRET_ACCESS_KEY");
  auto no_secret = ParseS3Uri("s3://bucket", env);
  EXPECT_THAT(std::string(no_secret.status().message()), ::testing::HasSubstr("AWS_SECRET"));
}

TEST(PartStoreTest, NamesStayInsideTheStore) {
  for (const char* bad : {"", "/abs", "a/../b", "..", "a//b", "a/./b", "sp ace", "a\\b"}) {
    EXPECT_FALSE(IsPartName(bad)) << bad;
  }
  for (const char* good : {"a", "runs/r-1/count/part-00000-of-00004", "runs/x_y.2/"}) {
    EXPECT_TRUE(IsPartName(good)) << good;
  }
  TempDir dir;
  auto store = PartStore::Open("dir:" + dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Put("../escape", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->RemoveAll("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PartStore::Open("s4://bucket").ok());
}

}  // namespace
}  // namespace nightjar
