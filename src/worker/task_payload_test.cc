#include "worker/task_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightjar {
namespace {

TEST(TaskPayloadTest, RoundTripsAndRejectsOtherShapes) {
  TaskPayload p;
  p.base = 1200;
  p.docs = {"a", "doc \"2\"", "ü"};
  auto back = ParsePayload(EncodePayload(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->base, 1200u);
  EXPECT_THAT(back->docs, ::testing::ElementsAre("a", "doc \"2\"", "ü"));
  EXPECT_FALSE(ParsePayload("not json").ok());
  EXPECT_FALSE(ParsePayload(R"({"docs":["a"]})").ok());
  EXPECT_FALSE(ParsePayload(R"({"base":-1,"docs":["a"]})").ok());
  EXPECT_FALSE(ParsePayload(R"({"base":0,"docs":[1]})").ok());
  EXPECT_FALSE(ParsePayload(R"({"base":0})").ok());
  EXPECT_FALSE(ParsePayload(R"({"base":0,"docs":[],"options":{"domain":1}})").ok());
}

TEST(TaskPayloadTest, CarriesTheJobsOptions) {
  TaskPayload p;
  p.docs = {"a"};
  p.options = {{"domain", "medical"}, {"cleanup", "merge"}};
  auto back = ParsePayload(EncodePayload(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->options, p.options);
  EXPECT_EQ(EncodePayload(TaskPayload{3, {"x"}, {}}), R"({"base":3,"docs":["x"]})");
}

}  // namespace
}  // namespace nightjar
