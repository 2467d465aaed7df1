#ifndef NIGHTJAR_STATE_STATE_STORE_H_
#define NIGHTJAR_STATE_STATE_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "count/abbreviation_counts.h"
#include "count/corpus_counter.h"
#include "count/term_table.h"
#include "state/doc_record.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace nightjar {

// Where and how a state is opened. Every field has a default.
struct StateOptions {
  std::string path;  // the state directory; created (with its parents) when missing
  // What the counts are made with (tokenizer settings, record schema), as one string: stored
  // when the state is created and compared on every open, so that counts made one way are
  // never mixed with counts made another.
  std::string identity;
  bool sync = true;  // fsync every commit; only tests turn it off
  // Log commits ahead (RocksDB's WAL). Off: a scratch state (a stateless refresh's recount),
  // whose commits since the last flush a crash loses; nothing is fsynced either.
  bool wal = true;
  // RocksDB's memtables and block cache together (0 = RocksDB's defaults): half for the
  // memtables of all columns (a WriteBufferManager), a quarter for the block cache.
  size_t memory_bytes = 0;
};

// 2: the ids column (an index of the ids, for a sharded run's checks).
inline constexpr std::string_view kStateFormat = "nightjar-state 2";

// The changes of one checkpoint, applied all at once by StateStore::Commit: count deltas, the
// records of documents added, modified or removed, and source cursors. Made by
// StateStore::NewBatch; not thread-safe.
class StateBatch {
 public:
  ~StateBatch();
  StateBatch(StateBatch&&) noexcept;
  StateBatch& operator=(StateBatch&&) noexcept;

  // Adds (sign +1) or subtracts (sign -1) counts: what documents counted by a DocumentCounter
  // contribute.
  void AddCounts(const TermTable& terms, const CorpusTotals& totals,
                 const AbbreviationCounts& abbreviations, int sign);
  void PutDocument(std::string_view id, const DocRecord& record);
  void EraseDocument(std::string_view id);
  void PutCursor(std::string_view key, std::string_view value);
  void PutMeta(std::string_view key, std::string_view value);
  // Counts one more change of the documents' counts (StateStore::Generation).
  void BumpGeneration();
  // Operations so far.
  size_t size() const;

 private:
  friend class StateStore;
  explicit StateBatch(const class StateStore* store);
  const StateStore* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

// A corpus's persistent state on RocksDB: exact counts (each a sum of deltas merged by
// CountMergeOperator), one DocRecord per live document, and source cursors. One process at a
// time holds a state: Open fails with FailedPrecondition while another holds it, and a lock
// left by a process that died is released with it (RocksDB's fcntl lock). Thread-safe.
class StateStore {
 public:
  // Opens or creates the state at options.path. FailedPrecondition when it is held by another
  // process, or when its format or identity differ from this build's and options.identity.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<StateStore>> Open(
      const StateOptions& options);
  // Removes the state at `path` (RocksDB's files only), when there is one. FailedPrecondition
  // while another process holds it.
  [[nodiscard]] static absl::Status Destroy(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  StateBatch NewBatch() const { return StateBatch(this); }
  // Applies every change of `batch` in one atomic write (fsynced unless options.sync or
  // options.wal is off), then empties it: after a crash either all of it is there or none
  // (without the WAL, none since the last flush).
  [[nodiscard]] absl::Status Commit(StateBatch& batch);

  // Writes every column's buffered writes to table files, so that the write-ahead log holding
  // them can go: the next Open need not replay it. Called once a run's updates are committed.
  [[nodiscard]] absl::Status Flush();

  // The record of document `id`; nullopt when the state has none.
  [[nodiscard]] absl::StatusOr<std::optional<DocRecord>> GetDocument(std::string_view id) const;
  // fn(id, record) for every document, by id (bytewise). Stops at the first error.
  [[nodiscard]] absl::Status ForEachDocument(
      const std::function<void(std::string_view, const DocRecord&)>& fn) const;
  // Up to about `max_bytes` of records (at least one) of the documents whose ids sort after
  // `after` ("" = from the first), by id, appended to *out; false when none is left after them.
  [[nodiscard]] absl::StatusOr<bool> ReadDocuments(
      std::string_view after, size_t max_bytes,
      std::vector<std::pair<std::string, DocRecord>>* out) const;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetCursor(std::string_view key) const;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const;
  // How many committed checkpoints changed the counts: equal generations, equal counts.
  [[nodiscard]] absl::StatusOr<uint64_t> Generation() const;
  // The index of the documents' ids, read without the documents' text.
  struct IdIndex {
    // DocumentIdHash of every record, ascending (twice when two ids share one): the live
    // documents' and the tombstones'.
    std::vector<uint64_t> live, deleted;
    // A digest of the live documents, ids and contents: equal digests, equal documents (the
    // same in any two states that hold them, whatever their history).
    uint64_t digest = 0;
  };
  [[nodiscard]] absl::StatusOr<IdIndex> ReadIdIndex() const;
  // The counts: terms, totals and abbreviations (keys whose counts summed to zero are left
  // out, as a count of the same documents would never have had them), at most `max_terms`
  // terms kept by frequency levels as CountCorpus keeps them (term_cap.h; 0 = all). DataLoss
  // when a count is negative or malformed.
  [[nodiscard]] absl::StatusOr<CorpusCounts> LoadCounts(uint64_t max_terms = 0) const;

  const std::string& path() const { return options_.path; }

 private:
  friend class StateBatch;
  explicit StateStore(StateOptions options);
  absl::Status CheckFormat();

  StateOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* terms_ = nullptr;
  rocksdb::ColumnFamilyHandle* totals_ = nullptr;
  rocksdb::ColumnFamilyHandle* abbreviations_ = nullptr;
  rocksdb::ColumnFamilyHandle* documents_ = nullptr;
  rocksdb::ColumnFamilyHandle* cursors_ = nullptr;
  // Big-endian id hash + id -> 'l'ive or 'd'eleted, then the document's digest term (u64 LE).
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_STATE_STORE_H_
