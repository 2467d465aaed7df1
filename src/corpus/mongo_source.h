#ifndef NIGHTJAR_CORPUS_MONGO_SOURCE_H_
#define NIGHTJAR_CORPUS_MONGO_SOURCE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "corpus/document_source.h"
#include "corpus/mongo_query.h"

namespace nightjar {

// Reads a MongoDB collection (`mongodb://HOST/DB?collection=documents`, see MongoOptions) in
// keyset pages sorted by (modified_at, _id): each page is a find with a filter past the last key
// and a limit, so that a lost connection resumes from that key. A run reads, in order:
//   1. documents whose modified_at is missing, null or of another BSON type than the
//      collection's largest one (dates, else numbers, else strings), by _id, every run;
//   2. documents by (modified_at, _id) up to the largest modified_at at the start; with
//      SourceOptions::resume, from `overlap_s` before the stored cursor.
// Without a modified_at field every run reads the collection by _id. The cursor (key
// "mongodb:DB/COLLECTION", value EncodeCursor of the last key, types kept) is handed out after
// each page. Network errors and a primary stepping down are retried with backoff for up to
// `retry_s`. An index on {modified_at: 1, _id: 1} keeps pages cheap. Thread-safe.
class MongoSource : public DocumentSource {
 public:
  using Sleep = std::function<void(absl::Duration)>;

  // Connects and pings the server (fails fast when it is not there), finds the watermark's type
  // and upper bound. `sleep` waits between retries; null = absl::SleepFor.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<MongoSource>> Open(
      const SourceOptions& options, RejectSink* rejects, Sleep sleep = nullptr);
  ~MongoSource() override;

  absl::StatusOr<std::unique_ptr<DocumentBatch>> Next() override;
  SourceProgress progress() const override;
  std::vector<std::string> damaged_files() const override { return {}; }
  std::vector<SourceCursor> TakeFinishedCursors() override;

  struct Scan;
  struct Driver;  // the libmongoc client and collection (mongo_source.cc)

 private:
  MongoSource(MongoOptions options, const SourceOptions& source, Sleep sleep);
  absl::Status Plan();
  // One page of the current scan, retried on transient errors; empty at the scan's end.
  absl::StatusOr<std::vector<BsonPtr>> FetchPage(Scan& scan);  // requires mu_

  const MongoOptions options_;
  const SourceOptions source_;
  const Sleep sleep_;
  std::shared_ptr<const std::string> name_;
  std::unique_ptr<Driver> driver_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Scan>> scans_;  // guarded by mu_
  size_t current_ = 0;                        // guarded by mu_
  std::vector<SourceCursor> finished_;        // guarded by mu_
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> retries_{0};
};

// True for errors retrying may cure: network and server-selection failures, a primary stepping
// down or a server shutting down.
bool IsTransientMongoError(uint32_t domain, uint32_t code);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_MONGO_SOURCE_H_
