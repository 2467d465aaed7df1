#ifndef NIGHTJAR_CORPUS_DOCUMENT_SOURCE_H_
#define NIGHTJAR_CORPUS_DOCUMENT_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document.h"
#include "corpus/jsonl_parser.h"
#include "corpus/reject.h"

namespace nightjar {

// A unit of work handed out by a DocumentSource: a run of records parsed on the consuming thread.
class DocumentBatch {
 public:
  virtual ~DocumentBatch() = default;
  // Calls fn for each accepted document and reports every other record to `rejects`.
  // Called at most once, on any one thread. The Document is valid only during fn.
  virtual void ForEach(const std::function<void(const Document&)>& fn, RejectSink& rejects) = 0;
  // Bytes of record data in this batch (decompressed).
  virtual uint64_t bytes() const = 0;
};

// Where the source is in its input, for progress and ETA.
struct SourceProgress {
  uint64_t bytes_read = 0;   // input bytes consumed so far (compressed bytes for compressed files)
  uint64_t bytes_total = 0;  // total input bytes when known, else 0
  uint64_t retries = 0;      // transient failures (a lost connection, a restart) retried so far
};

// Where a source stands in one of its inputs, for a later run to start from: for JSONL, a file
// read to its end (key "jsonl:" + path; value its size, mtime and a checksum of its bytes); for
// a database, the last key of a keyset scan (key "postgres:DB/TABLE").
struct SourceCursor {
  std::string key;
  std::string value;
  std::string input;  // the input, as Reject::source names it (for JSONL, the file's path)
  bool operator==(const SourceCursor&) const = default;
};

// Which share of a corpus to read: shard `index` of `count` (a sharded refresh's count round).
// For JSONL a file belongs to the shard XXH3(its path as listed) % count names, whole, so a
// document's shard depends only on its file's path and `count`; every pod must name the corpus
// alike. For PostgreSQL a row belongs to the shard hashtextextended(id::text, 0) % count names
// (a predicate on each page's query), so it depends only on its id and `count`; for MongoDB a
// document to the shard its id's $toHashedIndexKey % count names (MongoDB 7.0 or later).
struct ShardSpec {
  uint32_t index = 0;  // < count
  uint32_t count = 1;  // 1 = the whole corpus
  bool operator==(const ShardSpec&) const = default;
};

// The shard of `spec.count` that the JSONL file at `path` belongs to.
uint32_t JsonlFileShard(std::string_view path, uint32_t count);

// Which corpus to read and how records map to documents. Every field has a default.
struct SourceOptions {
  ShardSpec shard;  // the share of the inputs to read; the default reads them all
  // "jsonl:PATH|DIR|GLOB[,...]" (a bare path means jsonl:), "postgres://…" or "mongodb://…"
  std::string uri;
  RecordSchema schema;               // field names and the document size cap
  size_t batch_bytes = 4 << 20;      // target decompressed bytes per batch
  size_t max_line_bytes = 64 << 20;  // longer lines are rejected (line_too_long), not buffered
  // The value an earlier run stored under a cursor key (nullopt: none). Databases read from
  // there (less their overlap); JSONL skips a file whose stored cursor shows it unchanged: the
  // same size and mtime (a stat), or else the same size and checksum (a read). Sources hand out
  // cursors only when it is set. Null = read everything and keep no cursors.
  std::function<std::optional<std::string>(const std::string& key)> resume;
  // JSONL: checksum every file before skipping it, even one whose size and mtime match, which
  // also catches a file rewritten with both kept (state.verify_files).
  bool verify_skipped = false;
};

// A stream of corpus documents, split into batches that several threads may consume at once.
// Whole-file problems (unreadable, empty, corrupt) are reported as rejects through the sink
// given to Open and do not fail the stream; only misuse or a failure of the source as a whole
// (e.g. a lost database connection) is an error.
class DocumentSource {
 public:
  virtual ~DocumentSource() = default;
  // Thread-safe. Returns the next batch, or nullptr when the source is exhausted.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<DocumentBatch>> Next() = 0;
  // Thread-safe.
  virtual SourceProgress progress() const = 0;
  // Inputs that could not be read to their end so far (unopenable, cut off, failing a
  // checksum): what they held past the damage is unknown, so callers decide whether the read
  // counts. Their rejects were reported too. Thread-safe.
  virtual std::vector<std::string> damaged_files() const = 0;
  // The cursors of the inputs read to their end since the last call (none when
  // SourceOptions::resume is null), in the order they ended. An input's cursor is handed out only
  // after Next has handed out every batch of it; a skipped input's, when it differs from the one
  // stored (a JSONL file only touched), as it is skipped. Thread-safe.
  virtual std::vector<SourceCursor> TakeFinishedCursors() { return {}; }
  // Inputs skipped so far because their stored cursors showed them unchanged. Thread-safe.
  virtual uint64_t skipped_inputs() const { return 0; }

  // Opens the source named by options.uri. Fails fast with a message naming the problem when
  // the URI is malformed or matches no input. `rejects` must outlive the source.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DocumentSource>> Open(
      const SourceOptions& options, RejectSink* rejects);
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_DOCUMENT_SOURCE_H_
