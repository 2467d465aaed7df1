#ifndef NIGHTJAR_CORPUS_POSTGRES_SOURCE_H_
#define NIGHTJAR_CORPUS_POSTGRES_SOURCE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "corpus/document_source.h"
#include "corpus/pg_conn.h"
#include "corpus/postgres_query.h"

namespace nightjar {

// Reads a PostgreSQL table (`postgres://…?table=documents`, see PostgresOptions) in keyset
// pages ordered by (modified_at, id), never by OFFSET. Each page is one batch; while a batch is
// consumed the next page is already being read by the server.
//
// A run reads, in order:
//   1. rows whose modified_at is NULL, by id (every run: nothing tells whether they changed);
//   2. rows by (modified_at, id), up to the largest modified_at the table had when the run
//      began; with SourceOptions::resume, from `overlap_s` before the stored cursor, so that a
//      row whose write committed after the last run passed its position is read at the latest
//      by the next run;
//   3. with `deletes=TABLE`, that table's rows by (deleted_at, id), as tombstones.
// Without a modified_at column, every run reads the whole table by id.
//
// The cursor of scans 2 and 3 (key "postgres:DB/TABLE", value EncodeKeyset of the last key) is
// handed out after each page. A lost connection or a server restart is retried with backoff for
// up to `retry_s`, and the page is read again from the last key handed out: no row is handed
// out twice or skipped. Thread-safe.
class PostgresSource : public DocumentSource {
 public:
  using Sleep = std::function<void(absl::Duration)>;

  // Connects (once: bad config or a server that is not there fails fast), checks the columns'
  // types and finds each scan's upper bound. `sleep` waits between retries (tests pass their
  // own); null = absl::SleepFor.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresSource>> Open(
      const SourceOptions& options, RejectSink* rejects, Sleep sleep = nullptr);
  ~PostgresSource() override;

  absl::StatusOr<std::unique_ptr<DocumentBatch>> Next() override;
  SourceProgress progress() const override;
  std::vector<std::string> damaged_files() const override { return {}; }
  std::vector<SourceCursor> TakeFinishedCursors() override;

  // The name rejects and cursors give this source: "postgres:DB/TABLE".
  const std::string& name() const { return *name_; }

  struct Scan;  // one keyset scan and where it stands (postgres_source.cc)

 private:
  PostgresSource(PostgresOptions options, const SourceOptions& source, Sleep sleep);
  absl::Status Plan(const PgLayout& layout, const std::optional<PgColumn>& deletes_at);
  absl::Status SendCurrent();                   // requires mu_
  absl::StatusOr<PgResult> ReceiveWithRetry();  // requires mu_
  absl::Status Reconnect();                     // requires mu_

  const PostgresOptions options_;
  const SourceOptions source_;
  const Sleep sleep_;
  std::shared_ptr<const std::string> name_;

  mutable std::mutex mu_;
  std::unique_ptr<PgConn> conn_;              // guarded by mu_
  std::vector<std::unique_ptr<Scan>> scans_;  // guarded by mu_
  size_t current_ = 0;                        // the scan being read; mu_
  bool pending_ = false;                      // a page query was sent and not received; mu_
  std::vector<SourceCursor> finished_;        // guarded by mu_
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> retries_{0};
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_POSTGRES_SOURCE_H_
