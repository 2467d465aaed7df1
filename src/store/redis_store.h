#ifndef NIGHTJAR_STORE_REDIS_STORE_H_
#define NIGHTJAR_STORE_REDIS_STORE_H_

#include <memory>
#include <string>

#include "store/lexicon_store.h"
#include "store/manifest.h"
#include "store/redis_client.h"

namespace nightjar {

// Key names of one namespace; docs/redis-layout.md is the reference. P = "nightjar:<ns>:".
struct RedisKeys {
  explicit RedisKeys(const std::string& ns) : prefix("nightjar:" + ns + ":") {}
  std::string prefix;
  std::string current() const { return prefix + "current"; }    // STRING active version
  std::string previous() const { return prefix + "previous"; }  // STRING rollback target
  std::string versions() const { return prefix + "versions"; }  // HASH version -> status JSON
  std::string audit() const { return prefix + "audit"; }        // LIST audit JSON, newest first
  std::string lock() const { return prefix + "lock"; }          // STRING builder lease token
  std::string doomed() const { return prefix + "doomed"; }      // SET versions being deleted
  std::string events() const { return prefix + "events"; }      // pub/sub channel
  std::string manifest(std::string_view v) const {              // STRING manifest JSON
    return prefix + "v:" + std::string(v) + ":manifest";
  }
  std::string lexicon(std::string_view v, std::string_view name) const {  // HASH key -> record
    return prefix + "v:" + std::string(v) + ":lex:" + std::string(name);
  }
  std::string version_pattern(std::string_view v) const {  // SCAN MATCH for all of a version
    return prefix + "v:" + std::string(v) + ":*";
  }
};

// Tuning of the Redis store's writes and deletes. Every field has a default.
struct RedisStoreOptions {
  size_t fields_per_command = 1000;   // HSET field/value pairs per command
  size_t batch_bytes = 8 << 20;       // pipelined bytes between reply reads (and retries)
  int scan_count = 1000;              // COUNT for SCAN, and so the UNLINK batch size
  int hscan_count = 10000;            // COUNT for HSCAN when reading a lexicon
  size_t bulk_chunk_bytes = 1 << 20;  // record bytes per chunk of a bulk lexicon
  absl::Duration lock_lease = absl::Seconds(60);  // builder lock, renewed on every batch
  size_t audit_max = 1000;                        // audit entries kept
};

// A LexiconStore in Redis; each lexicon of a version is one hash keyed by word / term / variant,
// whose values are the JSON records, so any client can read one with HGET. Pipelined writes;
// activation, rollback and deletion bookkeeping are single Lua scripts.
class RedisStore : public LexiconStore {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RedisStore>> Open(
      const RedisEndpoint& endpoint, const RedisStoreOptions& options = {});

  absl::StatusOr<std::unique_ptr<VersionBuilder>> Begin(absl::Time now) override;
  absl::StatusOr<std::optional<std::string>> Current() override;
  absl::StatusOr<std::optional<std::string>> Previous() override;
  absl::StatusOr<std::vector<VersionStatus>> List() override;
  absl::StatusOr<Manifest> ReadManifest(const std::string& version) override;
  absl::Status ScanLexicon(const std::string& version, std::string_view lexicon,
                           const std::function<void(std::string_view record)>& fn) override;
  absl::StatusOr<AuditEvent> Activate(const ActivateRequest& request) override;
  absl::Status Delete(const std::string& version) override;
  absl::StatusOr<std::vector<AuditEvent>> Audit(size_t limit) override;
  absl::StatusOr<std::unique_ptr<VersionWatcher>> Watch() override;

  const RedisKeys& keys() const { return keys_; }

 private:
  RedisStore(RedisEndpoint endpoint, RedisStoreOptions options,
             std::unique_ptr<RedisConnection> conn)
      : endpoint_(std::move(endpoint)),
        options_(options),
        keys_(endpoint_.ns),
        conn_(std::move(conn)) {}
  // Runs one command, reconnecting with backoff once if the connection was lost.
  absl::StatusOr<RedisReply> Run(const std::vector<std::string_view>& argv);
  // Deletes a version's keys in SCAN-sized UNLINK batches.
  absl::Status UnlinkVersionKeys(const std::string& version);

  RedisEndpoint endpoint_;
  RedisStoreOptions options_;
  RedisKeys keys_;
  std::unique_ptr<RedisConnection> conn_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_REDIS_STORE_H_
