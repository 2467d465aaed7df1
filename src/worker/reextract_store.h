#ifndef NIGHTJAR_WORKER_REEXTRACT_STORE_H_
#define NIGHTJAR_WORKER_REEXTRACT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "corpus/pg_conn.h"
#include "worker/extraction.h"
#include "worker/reextract_options.h"

namespace nightjar {

enum class CleanupMode : uint8_t {
  kReplace,  // the document's old rows of the domain are deleted first
  kMerge,    // rows are upserted by (doc_id, domain, name) and (doc_id, domain, source, target)
};
// "replace" or "merge"; InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<CleanupMode> ParseCleanupMode(std::string_view s);

struct Chunk {
  int64_t idx = 0;
  std::string text;
};

// The reextract task's tables in PostgreSQL (names from ReextractOptions; the schema in
// docs/worker.md), through one connection. Each document's results commit in one transaction
// that also records the document in the marks table, keyed by (job, doc_id): a document is
// committed at most once per job, whatever crashes and redeliveries happen, and whoever finds it
// marked skips it. Transient errors (a lost connection, a restart) reconnect and retry once; an
// unknown commit outcome is settled by the mark. Not thread-safe: one per worker slot.
class ReextractStore {
 public:
  // Connects; with `create_tables`, creates the missing tables and indexes (under an advisory
  // lock, so workers starting together do not race).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ReextractStore>> Open(
      const ReextractOptions& options);

  // The document's chunks by idx; NotFound when the documents table has no such id.
  [[nodiscard]] absl::StatusOr<std::vector<Chunk>> Chunks(const std::string& doc);
  // Whether `job` committed `doc` already.
  [[nodiscard]] absl::StatusOr<bool> Committed(const std::string& job, const std::string& doc);
  // In one transaction: marks (job, doc); replace mode deletes the document's rows of `domain`;
  // writes `e`; sets the document's extraction_version to at least `version`. Returns false (and
  // changes nothing) when the mark was there already. NotFound when the document is gone.
  [[nodiscard]] absl::StatusOr<bool> Commit(const std::string& job, const std::string& doc,
                                            const std::string& domain, const Extraction& e,
                                            CleanupMode mode, int version);
  // Ids of the documents of `kb` (all, or only those below `version`), in id order.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> SelectDocuments(const std::string& kb,
                                                                         bool outdated,
                                                                         int version);

  // Per knowledge base, its documents below `version` (KBs with none are left out).
  [[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> OutdatedByKb(
      int version);

  // Time spent waiting on PostgreSQL so far.
  absl::Duration busy() const { return busy_; }

 private:
  ReextractStore(ReextractOptions options, std::unique_ptr<PgConn> conn)
      : options_(std::move(options)), conn_(std::move(conn)) {}
  absl::Status CreateTables();
  absl::StatusOr<bool> CommitOnce(const std::string& job, const std::string& doc,
                                  const std::string& domain, const Extraction& e, CleanupMode mode,
                                  int version);
  absl::Status InsertRows(const std::string& doc, const std::string& domain, const Extraction& e,
                          CleanupMode mode);
  // Runs `sql`, timing it.
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<std::string>& params);
  absl::Status Reconnect();

  const ReextractOptions options_;
  std::unique_ptr<PgConn> conn_;
  absl::Duration busy_;
};

// `name` (a validated [schema.]table) quoted as an SQL identifier.
std::string QuoteTable(std::string_view name);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_REEXTRACT_STORE_H_
