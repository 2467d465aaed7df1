// The PostgreSQL source against a real server (scripts/test's): keyset paging, column checks,
// resume with overlap, writes during a read, a server restart in the middle of a read, hard
// deletes and rejects.
#include "corpus/postgres_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "pg_database.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

struct Row {
  std::string text;  // fields joined by '|'
  int64_t modified_at_ms = Document::kNoTime;
  bool deleted = false;
};

struct ReadResult {
  std::vector<std::string> ids;  // in the order handed out
  std::map<std::string, Row> rows;
  std::vector<SourceCursor> cursors;
  uint64_t retries = 0;
};

class PostgresSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // scripts/test always gives a server: failing to use one fails the test.
    ASSERT_EQ(db_.error(), "");
    if (!db_.available()) GTEST_SKIP() << "no PostgreSQL server (NIGHTJAR_TEST_DATABASE_URL)";
  }

  void Sql(const std::string& sql) { ASSERT_EQ(db_.Exec(sql), "") << sql; }

  // A documents table with `n` rows: ids d000.., 5 rows per modified_at (ties), every 10th row
  // soft-deleted, row 3 with no modified_at and row 4 with a NULL body.
  void MakeTable(int n) {
    Sql("CREATE TABLE documents (id text PRIMARY KEY, title text, body varchar(500), "
        "modified_at timestamptz, deleted boolean NOT NULL DEFAULT false, extra int)");
    Sql("CREATE INDEX ON documents (modified_at, id)");
    Sql(fmt::format(
        "INSERT INTO documents SELECT 'd' || lpad(i::text, 3, '0'), 'title ' || i, 'body of ' || "
        "i, "
        "CASE WHEN i = 3 THEN NULL ELSE timestamptz '2024-01-01' + (i / 5) * interval '1 minute' "
        "END, i % 10 = 9, i FROM generate_series(0, {}) i",
        n - 1));
    Sql("UPDATE documents SET body = NULL WHERE id = 'd004'");
  }

  SourceOptions Options(std::string params = "",
                        std::map<std::string, std::string>* stored = nullptr) {
    SourceOptions o;
    o.uri = db_.uri() + "?batch=10" + params;
    if (stored != nullptr) {
      o.resume = [stored](const std::string& key) -> std::optional<std::string> {
        auto it = stored->find(key);
        if (it == stored->end()) return std::nullopt;
        return it->second;
      };
    }
    return o;
  }

  // Reads a whole source; after `after_batches` batches, calls `between` once.
  ReadResult ReadAll(const SourceOptions& o, RejectLog& log, int after_batches = -1,
                     const std::function<void()>& between = nullptr) {
    ReadResult out;
    auto source = PostgresSource::Open(o, &log);
    EXPECT_TRUE(source.ok()) << source.status();
    if (!source.ok()) return out;
    for (int batches = 0;; ++batches) {
      if (batches == after_batches && between) between();
      auto batch = (*source)->Next();
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || *batch == nullptr) break;
      (*batch)->ForEach(
          [&](const Document& d) {
            std::string text;
            for (size_t i = 0; i < d.fields.size(); ++i) {
              if (i > 0) text += '|';
              text.append(d.fields[i]);
            }
            out.ids.emplace_back(d.id);
            out.rows[std::string(d.id)] = Row{text, d.modified_at_ms, d.deleted};
          },
          log);
      for (SourceCursor& c : (*source)->TakeFinishedCursors()) out.cursors.push_back(std::move(c));
    }
    out.retries = (*source)->progress().retries;
    return out;
  }

  PgDatabase db_;
};

TEST_F(PostgresSourceTest, ReadsEveryRowOnceByKeysetAcrossTies) {
  MakeTable(103);
  RejectLog log;
  ReadResult r = ReadAll(Options(), log);
  ASSERT_EQ(r.ids.size(), 103u);
  EXPECT_EQ(r.rows.size(), 103u);
  EXPECT_EQ(log.total(), 0u);
  EXPECT_EQ(r.ids[0], "d003");  // the row with no modified_at comes first
  EXPECT_EQ(r.rows["d003"].modified_at_ms, Document::kNoTime);
  EXPECT_EQ(r.rows["d004"].text, "title 4|");
  EXPECT_EQ(r.rows["d012"].text, "title 12|body of 12");
  EXPECT_EQ(r.rows["d012"].modified_at_ms, 1704067200000 + 2 * 60000);
  EXPECT_TRUE(r.rows["d019"].deleted);
  EXPECT_FALSE(r.rows["d018"].deleted);
  EXPECT_TRUE(r.cursors.empty());  // no resume: no cursors
}

TEST_F(PostgresSourceTest, ShardsSplitTheRowsByIdHashEachReadOnce) {
  MakeTable(103);
  std::map<std::string, int> seen;
  for (uint32_t i = 0; i < 3; ++i) {
    SourceOptions o = Options();
    o.shard = ShardSpec{i, 3};
    RejectLog log;
    ReadResult r = ReadAll(o, log);
    EXPECT_GT(r.ids.size(), 10u) << "shard " << i;  // 103 ids hash into all three
    for (const std::string& id : r.ids) ++seen[id];
  }
  EXPECT_EQ(seen.size(), 103u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
}

TEST_F(PostgresSourceTest, ColumnProblemsFailFastAndNameTheColumn) {
  Sql("CREATE TABLE documents (id text, title text, body int, modified_at timestamptz, "
      "deleted boolean)");
  RejectLog log;
  auto wrong = PostgresSource::Open(Options(), &log);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("column body of table documents"));
  auto missing = PostgresSource::Open(Options("&text=title,summary"), &log);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no column summary"));
  auto table = PostgresSource::Open(Options("&table=nope"), &log);
  EXPECT_THAT(std::string(table.status().message()), HasSubstr("table nope"));
}

TEST_F(PostgresSourceTest, ResumesAnOverlapBeforeItsCursorAndSeesLateCommits) {
  MakeTable(50);
  std::map<std::string, std::string> stored;
  RejectLog log;
  ReadResult first = ReadAll(Options("&overlap_s=120", &stored), log);
  ASSERT_EQ(first.ids.size(), 50u);
  ASSERT_FALSE(first.cursors.empty());
  EXPECT_EQ(first.cursors.back().key,
            "postgres:" + db_.uri().substr(db_.uri().rfind('/') + 1) + "/documents");
  for (const SourceCursor& c : first.cursors) stored[c.key] = c.value;
  auto last = DecodeKeyset(first.cursors.back().value);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->second, "d049");

  // The last row is at 00:09; a write that committed late at 00:08 is inside the overlap, one
  // at 00:01 is not (a writer slower than the overlap), and a new one comes after the cursor.
  Sql("INSERT INTO documents VALUES ('late', 'late', 'x', '2024-01-01 00:08:00+00', false, 0), "
      "('too_late', 'too late', 'x', '2024-01-01 00:01:00+00', false, 0), "
      "('new', 'new', 'x', '2024-01-02', false, 0)");
  ReadResult second = ReadAll(Options("&overlap_s=120", &stored), log);
  EXPECT_TRUE(second.rows.contains("late"));
  EXPECT_TRUE(second.rows.contains("new"));
  EXPECT_FALSE(second.rows.contains("too_late"));
  EXPECT_TRUE(second.rows.contains("d003"));   // no modified_at: read every run
  EXPECT_FALSE(second.rows.contains("d010"));  // 00:02, before the overlap
  EXPECT_TRUE(second.rows.contains("d035"));   // 00:07, inside it
  EXPECT_EQ(DecodeKeyset(second.cursors.back().value)->second, "new");
}

TEST_F(PostgresSourceTest, WritesDuringAReadAreReadOnceNowOrByTheNextRun) {
  MakeTable(60);
  std::map<std::string, std::string> stored;
  RejectLog log;
  // After two pages: a row not yet read is updated past the run's upper bound, one already read
  // is updated, and a row is inserted inside the range still to read.
  ReadResult during = ReadAll(Options("", &stored), log, 2, [&] {
    Sql("UPDATE documents SET body = 'changed', modified_at = '2024-02-01' WHERE id = 'd055'");
    Sql("UPDATE documents SET body = 'changed', modified_at = '2024-02-01' WHERE id = 'd001'");
    Sql("INSERT INTO documents VALUES ('mid', 'mid', 'x', '2024-01-01 00:10:30+00', false, 0)");
  });
  std::set<std::string> unique(during.ids.begin(), during.ids.end());
  EXPECT_EQ(unique.size(), during.ids.size()) << "a row was handed out twice";
  EXPECT_TRUE(during.rows.contains("mid"));
  EXPECT_FALSE(during.rows.contains("d055"));  // moved past this run's upper bound
  for (const SourceCursor& c : during.cursors) stored[c.key] = c.value;
  ReadResult next = ReadAll(Options("", &stored), log);
  ASSERT_TRUE(next.rows.contains("d055"));
  EXPECT_EQ(next.rows["d055"].text, "title 55|changed");
  EXPECT_EQ(next.rows["d001"].text, "title 1|changed");
}

TEST_F(PostgresSourceTest, AServerRestartInTheMiddleIsRetriedWithoutLossOrRepeats) {
  if (std::getenv("NIGHTJAR_TEST_PG_CTL") == nullptr) GTEST_SKIP() << "NIGHTJAR_TEST_PG_CTL unset";
  MakeTable(300);
  RejectLog log;
  bool restarted = false;
  ReadResult r =
      ReadAll(Options("&retry_s=60"), log, 5, [&] { restarted = PgDatabase::Restart(); });
  ASSERT_TRUE(restarted);
  EXPECT_EQ(r.ids.size(), 300u);
  std::set<std::string> unique(r.ids.begin(), r.ids.end());
  EXPECT_EQ(unique.size(), 300u);
  EXPECT_GE(r.retries, 1u);
}

TEST_F(PostgresSourceTest, HardDeletesComeFromTheirTableAsTombstones) {
  MakeTable(20);
  Sql("CREATE TABLE deleted_documents (id text PRIMARY KEY, deleted_at timestamptz NOT NULL)");
  Sql("INSERT INTO deleted_documents VALUES ('d005', '2024-03-01'), ('gone', '2024-03-02')");
  RejectLog log;
  ReadResult r = ReadAll(Options("&deletes=deleted_documents"), log);
  // d005 comes twice: its row, then its tombstone (the later time wins downstream).
  EXPECT_EQ(r.ids.size(), 22u);
  EXPECT_TRUE(r.rows["gone"].deleted);
  EXPECT_TRUE(r.rows["d005"].deleted);
  EXPECT_EQ(r.rows["gone"].modified_at_ms, 1709337600000);
  auto bad = PostgresSource::Open(Options("&deletes=deleted_documents&deletes_at=id"), &log);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("column id of table deleted_documents"));
}

TEST_F(PostgresSourceTest, BadRowsAreRejectedByReasonAndTheRestRead) {
  Sql("CREATE TABLE documents (id text, title text, body text, modified_at bigint, deleted int)");
  Sql("INSERT INTO documents VALUES ('a', 'x', 'y', 1700000000, 0), (NULL, 'x', 'y', 1, 0), "
      "('', 'x', 'y', 2, 0), ('b', 'x', 'y', 1700000000123, 2), ('c', 'x', 'y', 3, 1)");
  RejectLog log;
  ReadResult r = ReadAll(Options(), log);
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(log.count(RejectReason::kMissingId), 2u);
  EXPECT_EQ(log.count(RejectReason::kBadDeleted), 1u);
  EXPECT_EQ(r.rows["a"].modified_at_ms, 1700000000000);  // epoch seconds
  EXPECT_TRUE(r.rows["c"].deleted);
}

}  // namespace
}  // namespace nightjar
