#include "corpus/mongo_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

BsonPtr Json(const std::string& json) {
  bson_error_t error;
  BsonPtr b(bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                               static_cast<ssize_t>(json.size()), &error));
  EXPECT_NE(b, nullptr) << error.message << ": " << json;
  return b;
}

// Canonical extended JSON with the spaces libbson puts in removed, for comparing.
std::string Compact(const bson_t* b) {
  std::string out;
  for (char c : BsonToJson(b)) {
    if (c != ' ') out += c;
  }
  return out;
}

TEST(MongoUriTest, SplitsNightjarParametersFromTheDriversOnes) {
  RecordSchema schema;
  auto o = ParseMongoUri(
      "mongodb://app:secret@m1:27017,m2:27017/kb?replicaSet=rs0&collection=docs&batch=500"
      "&text=title,content&overlap_s=60&retryReads=true",
      schema);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->uri, "mongodb://app:secret@m1:27017,m2:27017/kb?replicaSet=rs0&retryReads=true");
  EXPECT_EQ(o->display.find("secret"), std::string::npos);
  EXPECT_EQ(o->database, "kb");
  EXPECT_EQ(o->collection, "docs");
  EXPECT_EQ(o->batch, 500u);
  EXPECT_THAT(o->text_fields, ElementsAre("title", "content"));
  EXPECT_EQ(o->overlap_s, 60);
  EXPECT_EQ(o->id_field, "_id");
  EXPECT_EQ(o->modified_at_field, "modified_at");
}

TEST(MongoUriTest, ProblemsAreNamed) {
  RecordSchema schema;
  EXPECT_THAT(std::string(ParseMongoUri("mongodb://h:1?collection=d", schema).status().message()),
              HasSubstr("names no database"));
  EXPECT_THAT(std::string(ParseMongoUri("mongodb://h/db?batch=x", schema).status().message()),
              HasSubstr("batch=x"));
  EXPECT_FALSE(ParseMongoUri("postgres://h/db", schema).ok());
  auto defaults = ParseMongoUri("mongodb://h/db", schema);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->collection, "documents");
}

MongoScan Timed() {
  MongoScan s;
  s.id_field = "_id";
  s.order_field = "modified_at";
  return s;
}

TEST(MongoQueryTest, TheFirstPageIsBoundedByTheLargestWatermark) {
  MongoBounds b;
  b.to = Json(R"({"m": {"$date": {"$numberLong": "1700000000000"}}})");
  EXPECT_EQ(
      Compact(PageFilter(Timed(), b).get()),
      R"({"$and":[{"modified_at":{"$type":"date"}},{"modified_at":{"$lte":{"$date":{"$numberLong":"1700000000000"}}}}]})");
}

TEST(MongoQueryTest, LaterPagesStartPastTheLastKey) {
  MongoBounds b;
  b.after =
      Json(R"({"m": {"$date": {"$numberLong": "5"}}, "id": {"$oid": "65a000000000000000000001"}})");
  b.from = Json(R"({"m": {"$date": {"$numberLong": "1"}}})");  // ignored once a page was read
  EXPECT_EQ(
      Compact(PageFilter(Timed(), b).get()),
      R"({"$and":[{"modified_at":{"$type":"date"}},{"$or":[{"modified_at":{"$gt":{"$date":{"$numberLong":"5"}}}},{"modified_at":{"$date":{"$numberLong":"5"}},"_id":{"$gt":{"$oid":"65a000000000000000000001"}}}]}]})");
}

TEST(MongoQueryTest, ResumedScansStartAnOverlapBeforeTheCursorInTheValuesOwnUnit) {
  MongoBounds b;
  b.overlap_s = 300;
  b.from = Json(R"({"m": {"$date": {"$numberLong": "1700000000000"}}})");
  EXPECT_THAT(Compact(PageFilter(Timed(), b).get()),
              HasSubstr(R"({"modified_at":{"$gte":{"$date":{"$numberLong":"1699999700000"}}}})"));
  MongoScan numbers = Timed();
  numbers.order_type = "number";
  b.from = Json(R"({"m": {"$numberLong": "1700000000"}})");  // epoch seconds
  EXPECT_THAT(Compact(PageFilter(numbers, b).get()),
              HasSubstr(R"({"$gte":{"$numberDouble":"1699999700.0"}})"));
  MongoScan strings = Timed();
  strings.order_type = "string";
  b.from = Json(R"({"m": "2024-05-01T12:00:00Z"})");
  EXPECT_THAT(Compact(PageFilter(strings, b).get()),
              HasSubstr(R"({"$gte":"2024-05-01T11:55:00Z"})"));
}

TEST(MongoQueryTest, AShardReadsTheIdsItsHashRemainderNames) {
  MongoScan s = Timed();
  s.shard_index = 2;
  s.shard_count = 3;
  const std::string shard =
      R"({"$expr":{"$in":[{"$mod":[{"$toHashedIndexKey":"$_id"},{"$numberLong":"3"}]},)"
      R"([{"$numberLong":"2"},{"$numberLong":"-1"}]]}})";
  MongoBounds b;
  EXPECT_THAT(Compact(PageFilter(s, b).get()), HasSubstr(shard));  // a clause of the $and
  s.untimed = true;
  EXPECT_THAT(Compact(PageFilter(s, b).get()), HasSubstr(shard.substr(1, shard.size() - 2)));
  s.shard_count = 1;
  EXPECT_THAT(Compact(PageFilter(s, b).get()), ::testing::Not(HasSubstr("$expr")));
}

TEST(MongoQueryTest, TheUntimedScanTakesEveryOtherTypeById) {
  MongoScan s = Timed();
  s.untimed = true;
  MongoBounds b;
  EXPECT_EQ(Compact(PageFilter(s, b).get()), R"({"modified_at":{"$not":{"$type":"date"}}})");
  b.after = Json(R"({"id": "doc-7"})");
  EXPECT_EQ(Compact(PageFilter(s, b).get()),
            R"({"modified_at":{"$not":{"$type":"date"}},"_id":{"$gt":"doc-7"}})");
  MongoOptions o;
  EXPECT_EQ(
      Compact(PageOptions(s, o, 100).get()),
      R"({"sort":{"_id":{"$numberInt":"1"}},"limit":{"$numberLong":"100"},"projection":{"_id":{"$numberInt":"1"},"title":{"$numberInt":"1"},"body":{"$numberInt":"1"},"modified_at":{"$numberInt":"1"},"deleted":{"$numberInt":"1"}}})");
  EXPECT_THAT(Compact(PageOptions(Timed(), o, 100).get()),
              HasSubstr(R"("sort":{"modified_at":{"$numberInt":"1"},"_id":{"$numberInt":"1"}})"));
}

TEST(MongoCursorTest, CursorsKeepTheKeysTypes) {
  for (
      const char* json :
      {R"({"m": {"$date": {"$numberLong": "1700000000123"}}, "id": {"$oid": "65a000000000000000000001"}})",
       R"({"m": {"$numberLong": "17"}, "id": "a b"})", R"({"id": {"$numberInt": "3"}})"}) {
    BsonPtr key = Json(json);
    const std::string value = EncodeCursor(key.get());
    BsonPtr back = DecodeCursor(value);
    ASSERT_NE(back, nullptr) << value;
    EXPECT_TRUE(bson_equal(key.get(), back.get())) << value;
  }
  EXPECT_EQ(DecodeCursor("size=1 mtime=2"), nullptr);
  EXPECT_EQ(DecodeCursor("v1 {\"m\": 1}"), nullptr);  // no id
  EXPECT_EQ(DecodeCursor("v1 {not json"), nullptr);
}

TEST(MongoMappingTest, BsonTypesMapToDocuments) {
  MongoOptions o;
  MongoMapped m;
  BsonPtr doc = Json(R"({"_id": {"$oid": "65a000000000000000000001"}, "title": "Hello",
      "body": null, "modified_at": {"$date": {"$numberLong": "1700000000123"}}, "deleted": false})");
  ASSERT_TRUE(MapDocument(doc.get(), o, 1 << 20, &m)) << m.detail;
  EXPECT_EQ(m.doc.id, "65a000000000000000000001");
  EXPECT_THAT(m.fields, ElementsAre("Hello", ""));
  EXPECT_EQ(m.doc.modified_at_ms, 1700000000123);
  EXPECT_FALSE(m.doc.deleted);

  BsonPtr numbers = Json(R"({"_id": {"$numberLong": "42"}, "title": "x", "modified_at": 1700000000,
      "deleted": 1})");
  ASSERT_TRUE(MapDocument(numbers.get(), o, 1 << 20, &m));
  EXPECT_EQ(m.doc.id, "42");
  EXPECT_EQ(m.doc.modified_at_ms, 1700000000000);  // epoch seconds
  EXPECT_TRUE(m.doc.deleted);

  BsonPtr text_time = Json(R"({"_id": "s", "modified_at": "2024-05-01T12:00:00Z", "body": "ééé"})");
  ASSERT_TRUE(MapDocument(text_time.get(), o, 4, &m));
  EXPECT_EQ(m.doc.modified_at_ms, 1714564800000);
  EXPECT_EQ(m.fields[1], "éé");  // cut at a character boundary
  EXPECT_TRUE(m.doc.truncated);
}

TEST(MongoMappingTest, BadDocumentsAreRejectedByReason) {
  MongoOptions o;
  MongoMapped m;
  auto reason = [&](const std::string& json) {
    BsonPtr doc = Json(json);
    EXPECT_FALSE(MapDocument(doc.get(), o, 1 << 20, &m)) << json;
    return m.reason;
  };
  EXPECT_EQ(reason(R"({"title": "no id"})"), RejectReason::kMissingId);
  EXPECT_EQ(reason(R"({"_id": ""})"), RejectReason::kMissingId);
  EXPECT_EQ(reason(R"({"_id": {"a": 1}})"), RejectReason::kIdNotString);
  EXPECT_EQ(reason(R"({"_id": "a", "title": 7})"), RejectReason::kFieldNotString);
  EXPECT_THAT(m.detail, HasSubstr("title"));
  EXPECT_EQ(reason(R"({"_id": "a", "modified_at": true})"), RejectReason::kBadModifiedAt);
  EXPECT_EQ(reason(R"({"_id": "a", "modified_at": "yesterday"})"), RejectReason::kBadModifiedAt);
  EXPECT_EQ(reason(R"({"_id": "a", "deleted": "yes"})"), RejectReason::kBadDeleted);
  EXPECT_EQ(reason(R"({"_id": "a", "deleted": 2})"), RejectReason::kBadDeleted);
  EXPECT_EQ(reason(R"({"_id": "a", "body": "a\u0000b"})"), RejectReason::kNulByte);
}

TEST(MongoQueryTest, KeysOfDocuments) {
  BsonPtr doc =
      Json(R"({"_id": "x", "modified_at": {"$date": {"$numberLong": "9"}}, "title": "t"})");
  EXPECT_EQ(Compact(KeyOf(doc.get(), Timed()).get()),
            R"({"m":{"$date":{"$numberLong":"9"}},"id":"x"})");
  MongoScan untimed = Timed();
  untimed.untimed = true;
  EXPECT_EQ(Compact(KeyOf(doc.get(), untimed).get()), R"({"id":"x"})");
  BsonPtr none = Json(R"({"title": "t"})");
  EXPECT_EQ(KeyOf(none.get(), Timed()), nullptr);
}

}  // namespace
}  // namespace nightjar
