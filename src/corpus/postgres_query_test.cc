#include "corpus/postgres_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(PostgresUriTest, SplitsNightjarParametersFromLibpqOnes) {
  RecordSchema schema;
  auto o = ParsePostgresUri(
      "postgres://u:secret@db:5432/corp?sslmode=disable&table=public.docs&batch=250&text=a,b%2Cc"
      "&overlap_s=60&deletes=gone&application_name=nj&retry_s=5",
      schema);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->conninfo, "postgres://u:secret@db:5432/corp?sslmode=disable&application_name=nj");
  EXPECT_EQ(o->display.find("secret"), std::string::npos);
  EXPECT_EQ(o->table, "public.docs");
  EXPECT_EQ(o->batch_rows, 250u);
  EXPECT_THAT(o->text_columns, ElementsAre("a", "b", "c"));
  EXPECT_EQ(o->overlap_s, 60);
  EXPECT_EQ(o->deletes_table, "gone");
  EXPECT_EQ(o->retry_s, 5);
  EXPECT_THAT(o->id_columns, ElementsAre("_id", "id"));  // from the schema
  EXPECT_EQ(o->modified_at_column, "modified_at");
}

TEST(PostgresUriTest, BadParametersAreNamed) {
  RecordSchema schema;
  auto bad = ParsePostgresUri("postgres://h/db?batch=0", schema);
  EXPECT_THAT(Message(bad.status()), HasSubstr("batch=0"));
  auto empty = ParsePostgresUri("postgresql://h/db?table=", schema);
  EXPECT_THAT(Message(empty.status()), HasSubstr("table="));
  auto scheme = ParsePostgresUri("mysql://u:pw@h/db", schema);
  EXPECT_FALSE(scheme.ok());
  EXPECT_THAT(Message(scheme.status()), ::testing::Not(HasSubstr("pw")));
  auto deleted_off = ParsePostgresUri("postgres://h/db?deleted=&modified_at=", schema);
  ASSERT_TRUE(deleted_off.ok());
  EXPECT_EQ(deleted_off->deleted_column, "");
  EXPECT_EQ(deleted_off->modified_at_column, "");
}

std::vector<PgColumn> Table() {
  return {{"id", PgKind::kInteger, "bigint"},
          {"title", PgKind::kText, "text"},
          {"body", PgKind::kText, "character varying(200)"},
          {"modified_at", PgKind::kTimestampTz, "timestamp with time zone"},
          {"deleted", PgKind::kBool, "boolean"},
          {"score", PgKind::kOther, "double precision"}};
}

TEST(PostgresColumnsTest, PicksTheRolesAndChecksTheirTypes) {
  PostgresOptions o;
  auto layout = CheckColumns(o, Table(), "docs");
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->id.name, "id");
  ASSERT_EQ(layout->text.size(), 2u);
  EXPECT_EQ(layout->text[1].name, "body");
  EXPECT_EQ(layout->modified_at->kind, PgKind::kTimestampTz);
  EXPECT_TRUE(layout->deleted.has_value());

  o.text_columns = {"title", "score"};
  auto wrong = CheckColumns(o, Table(), "docs");
  EXPECT_THAT(Message(wrong.status()), HasSubstr("column score of table docs is double precision"));
  o.text_columns = {"title", "summary"};
  auto missing = CheckColumns(o, Table(), "docs");
  EXPECT_THAT(Message(missing.status()), HasSubstr("table docs has no column summary"));
  o.text_columns = {"title"};
  o.modified_at_column = "title";
  auto watermark = CheckColumns(o, Table(), "docs");
  EXPECT_THAT(Message(watermark.status()), HasSubstr("modified_at watermark"));
  o.modified_at_column = "";
  o.deleted_column = "";
  auto plain = CheckColumns(o, Table(), "docs");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->modified_at.has_value());
  EXPECT_FALSE(plain->deleted.has_value());
}

TEST(PostgresColumnsTest, TypeOids) {
  EXPECT_EQ(PgKindOfType(25), PgKind::kText);
  EXPECT_EQ(PgKindOfType(1043), PgKind::kText);
  EXPECT_EQ(PgKindOfType(20), PgKind::kInteger);
  EXPECT_EQ(PgKindOfType(1184), PgKind::kTimestampTz);
  EXPECT_EQ(PgKindOfType(1082), PgKind::kDate);
  EXPECT_EQ(PgKindOfType(16), PgKind::kBool);
  EXPECT_EQ(PgKindOfType(701), PgKind::kOther);
}

TEST(PostgresQueryTest, QuotesIdentifiers) {
  EXPECT_EQ(QuoteIdentifier("docs"), "\"docs\"");
  EXPECT_EQ(QuoteIdentifier("public.Docs"), "\"public\".\"Docs\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

PgScan TimedScan() {
  PgScan s;
  s.table = "\"docs\"";
  s.id = {"id", PgKind::kText, "text"};
  s.order = PgColumn{"modified_at", PgKind::kTimestampTz, "timestamp with time zone"};
  s.select = {"\"title\""};
  return s;
}

TEST(PostgresQueryTest, PagesByKeysetNeverByOffset) {
  PgPageBounds b;
  b.to_order = "2024-01-02 00:00:00+00";
  PgQuery first = PageQuery(TimedScan(), b, 100);
  EXPECT_EQ(first.sql,
            "SELECT \"title\", \"id\"::text, \"modified_at\"::text FROM \"docs\" WHERE "
            "\"modified_at\" <= $1::timestamp with time zone ORDER BY \"docs\".\"modified_at\", "
            "\"docs\".\"id\" "
            "LIMIT 100");
  EXPECT_THAT(first.params, ElementsAre("2024-01-02 00:00:00+00"));

  b.after_order = "2024-01-01 00:00:00+00";
  b.after_id = "d7";
  b.from_order = "ignored once a page was read";
  PgQuery next = PageQuery(TimedScan(), b, 100);
  EXPECT_THAT(next.sql, HasSubstr("WHERE (\"modified_at\", \"id\") > ($1::timestamp with time "
                                  "zone, $2::text) AND \"modified_at\" <= $3::timestamp"));
  EXPECT_THAT(next.params, ElementsAre("2024-01-01 00:00:00+00", "d7", "2024-01-02 00:00:00+00"));
  EXPECT_EQ(next.sql.find("OFFSET"), std::string::npos);
}

TEST(PostgresQueryTest, ResumedScansStartAnOverlapBeforeTheirCursor) {
  PgPageBounds b;
  b.from_order = "2024-01-01 00:00:00+00";
  b.overlap_s = 300;
  PgQuery q = PageQuery(TimedScan(), b, 10);
  EXPECT_THAT(q.sql, HasSubstr("\"modified_at\" >= ($1::timestamp with time zone - $2::int8 * "
                               "interval '1 second')"));
  EXPECT_THAT(q.params, ElementsAre("2024-01-01 00:00:00+00", "300"));

  PgScan ints = TimedScan();
  ints.order = PgColumn{"mtime", PgKind::kInteger, "bigint"};
  b.from_order = "1700000000000";  // milliseconds
  EXPECT_THAT(PageQuery(ints, b, 10).params, ElementsAre("1699999700000"));
  b.from_order = "1700000000";  // seconds
  EXPECT_THAT(PageQuery(ints, b, 10).params, ElementsAre("1699999700"));
}

TEST(PostgresQueryTest, ScansWithoutAnOrderColumnPageById) {
  PgScan s = TimedScan();
  s.order.reset();
  s.filter = "\"modified_at\" IS NULL";
  PgPageBounds b;
  b.after_id = "x";
  PgQuery q = PageQuery(s, b, 5);
  EXPECT_EQ(q.sql,
            "SELECT \"title\", \"id\"::text FROM \"docs\" WHERE \"modified_at\" IS NULL AND "
            "\"id\" > $1::text ORDER BY \"docs\".\"id\" LIMIT 5");
}

TEST(PostgresQueryTest, MillisExpressions) {
  EXPECT_EQ(MillisExpression({"m", PgKind::kTimestampTz, "timestamptz"}),
            "floor(extract(epoch from \"m\") * 1000)::int8");
  EXPECT_EQ(MillisExpression({"m", PgKind::kInteger, "bigint"}), "\"m\"::int8");
}

TEST(PostgresCursorTest, KeysetsRoundTripAnyBytes) {
  for (auto [order, id] : std::vector<std::pair<std::string, std::string>>{
           {"2024-01-01 00:00:00.123456+00", "doc 1"},
           {"", ""},
           {"1700000000000", std::string("a:b\t\n 12:x", 11)}}) {
    auto back = DecodeKeyset(EncodeKeyset(order, id));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, order);
    EXPECT_EQ(back->second, id);
  }
  EXPECT_FALSE(DecodeKeyset("size=1 mtime=2").has_value());
  EXPECT_FALSE(DecodeKeyset("v1 5:abc").has_value());
  EXPECT_FALSE(DecodeKeyset("v1 1:a1:bextra").has_value());
  EXPECT_FALSE(DecodeKeyset("v1 x:a1:b").has_value());
}

}  // namespace
}  // namespace nightjar
