#include "util/json_writer.h"

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(JsonWriterTest, NestedContainersGetCommas) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a").Int(-1);
  w.Key("b").BeginArray().String("x").Uint(2).Bool(true).Null().EndArray();
  w.Key("c").BeginObject().Key("d").Double(0.5).EndObject();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":["x",2,true,null],"c":{"d":0.5}})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControls) {
  JsonWriter w;
  w.String(std::string("q\"b\\n\nt\tz\x01\0", 11));
  EXPECT_EQ(w.str(), "\"q\\\"b\\\\n\\nt\\tz\\u0001\\u0000\"");
}

TEST(JsonWriterTest, Utf8PassesThrough) {
  JsonWriter w;
  w.String("caf\u00e9 \u4e2d");
  EXPECT_EQ(w.str(), "\"caf\u00e9 \u4e2d\"");
}

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  JsonWriter w;
  w.BeginArray().Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(w.str(), "[null]");
}

}  // namespace
}  // namespace nightjar
