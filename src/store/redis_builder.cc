#include "store/redis_builder.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "store/manifest.h"
#include "store/redis_scripts.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

class RedisVersionBuilder : public VersionBuilder {
 public:
  RedisVersionBuilder(std::unique_ptr<RedisConnection> conn, RedisKeys keys,
                      const RedisStoreOptions& options, std::string version, absl::Time now,
                      std::string token)
      : conn_(std::move(conn)),
        keys_(std::move(keys)),
        options_(options),
        version_(std::move(version)),
        created_at_(now),
        token_(std::move(token)) {}

  ~RedisVersionBuilder() override {
    if (committed_) return;
    // Best effort; what this leaves behind the next Begin() removes.
    if (conn_->broken() && !conn_->Reconnect().ok()) return;
    (void)conn_->Command({"HDEL", keys_.versions(), version_});
    (void)UnlinkKeys(*conn_, keys_, version_, options_.scan_count);
    Release();
  }

  const std::string& version() const override { return version_; }

  absl::Status Append(std::string_view lexicon, std::string_view key,
                      std::string_view record) override {
    if (sealed_) return absl::FailedPreconditionError("Append after Seal");
    NJ_ASSIGN_OR_RETURN(auto it, Find(lexicon));
    it->records++;
    it->bytes += record.size();
    it->checksum.Add(record);
    if (IsBulkLexicon(lexicon)) {
      // Bulk lexicons are read whole, never by key: records are packed into chunks of about
      // bulk_chunk_bytes, newline-separated, one hash field per chunk index.
      if (!it->chunk.empty()) it->chunk.push_back('\n');
      it->chunk.append(record);
      if (it->chunk.size() >= options_.bulk_chunk_bytes) return EmitChunk(*it);
      return absl::OkStatus();
    }
    return Stage(static_cast<uint32_t>(it - lexicons_.begin()), key, record);
  }

  absl::Status Declare(std::string_view lexicon) override {
    if (sealed_) return absl::FailedPreconditionError("Declare after Seal");
    return Find(lexicon).status();
  }

  absl::StatusOr<std::vector<LexiconFileInfo>> Seal() override {
    for (auto& l : lexicons_) {
      if (!l.chunk.empty()) NJ_RETURN_IF_ERROR(EmitChunk(l));
    }
    NJ_RETURN_IF_ERROR(Flush());
    std::vector<LexiconFileInfo> out;
    for (const auto& l : lexicons_) {
      // Everything acknowledged must still be there: a restarted Redis may have lost it.
      NJ_ASSIGN_OR_RETURN(auto n, Retry([&] { return conn_->Command({"HLEN", l.key}); }));
      const uint64_t expected = IsBulkLexicon(l.name) ? l.chunks : l.records;
      if (static_cast<uint64_t>(n.integer()) != expected) {
        return absl::DataLossError(fmt::format(
            "redis: {} holds {} records of {} written (data lost or duplicate keys); version {} "
            "not committed",
            l.key, n.integer(), expected, version_));
      }
      out.push_back(LexiconFileInfo{l.name, l.records, l.bytes, l.checksum.Hex()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    sealed_ = true;
    return out;
  }

  absl::Status Commit(const Manifest& manifest, VersionState state,
                      std::string_view note) override {
    if (!sealed_) return absl::FailedPreconditionError("Commit before Seal");
    NJ_ASSIGN_OR_RETURN(const VersionStatus status,
                        CommittedStatus(version_, created_at_, state, note));
    const std::string status_json = VersionStatusJson(status);
    const std::string manifest_key = keys_.manifest(version_);
    const std::string manifest_json = manifest.ToJson();
    NJ_RETURN_IF_ERROR(Retry([&]() -> absl::StatusOr<RedisReply> {
                         NJ_RETURN_IF_ERROR(CheckStillBuilding());
                         conn_->Append({"MULTI"});
                         conn_->Append({"SET", manifest_key, manifest_json});
                         conn_->Append({"HSET", keys_.versions(), version_, status_json});
                         conn_->Append({"EXEC"});
                         NJ_RETURN_IF_ERROR(conn_->Sync());
                         return RedisReply(nullptr);
                       }).status());
    committed_ = true;
    Release();
    return absl::OkStatus();
  }

 private:
  struct Lexicon {
    std::string name;
    std::string key;
    uint64_t records = 0;
    uint64_t bytes = 0;
    RecordSetChecksum checksum;
    std::string chunk;    // bulk lexicons: records not yet emitted
    uint64_t chunks = 0;  // bulk lexicons: chunks emitted
  };

  // Queues one field for the next pipelined batch.
  absl::Status Stage(uint32_t lexicon, std::string_view key, std::string_view value) {
    entries_.push_back(Entry{lexicon, data_.size(), static_cast<uint32_t>(key.size()),
                             static_cast<uint32_t>(value.size())});
    data_.append(key);
    data_.append(value);
    if (data_.size() >= options_.batch_bytes) return Flush();
    return absl::OkStatus();
  }

  absl::Status EmitChunk(Lexicon& l) {
    const auto index = static_cast<uint32_t>(&l - lexicons_.data());
    const std::string field = std::to_string(l.chunks++);
    std::string chunk = std::move(l.chunk);
    l.chunk.clear();
    return Stage(index, field, chunk);
  }

  // The lexicon named `name`, added when new.
  absl::StatusOr<std::vector<Lexicon>::iterator> Find(std::string_view name) {
    auto it = std::find_if(lexicons_.begin(), lexicons_.end(),
                           [&](const Lexicon& l) { return l.name == name; });
    if (it != lexicons_.end()) return it;
    if (!IsLexiconName(name)) {
      return absl::InvalidArgumentError(fmt::format("bad lexicon name '{}'", name));
    }
    Lexicon added;
    added.name = std::string(name);
    added.key = keys_.lexicon(version_, name);
    lexicons_.push_back(std::move(added));
    return lexicons_.end() - 1;
  }
  struct Entry {
    uint32_t lexicon;
    size_t offset;
    uint32_t key_len;
    uint32_t record_len;
  };

  // Runs fn; after a lost connection, reconnects (with the endpoint's backoff), checks the
  // version is still there and runs fn again, up to the endpoint's retry count.
  template <typename Fn>
  absl::StatusOr<RedisReply> Retry(Fn fn) {
    for (int attempt = 0;; ++attempt) {
      auto r = fn();
      if (r.ok() || !absl::IsUnavailable(r.status()) || attempt >= conn_->endpoint().retries) {
        return r;
      }
      NJ_RETURN_IF_ERROR(conn_->Reconnect());
      NJ_RETURN_IF_ERROR(CheckStillBuilding());
    }
  }

  // After a reconnect: a Redis that restarted without our writes must fail the run, not publish
  // a partial version.
  absl::Status CheckStillBuilding() {
    NJ_ASSIGN_OR_RETURN(auto r, conn_->Command({"HGET", keys_.versions(), version_}));
    if (r.is_nil()) {
      return absl::AbortedError(fmt::format(
          "redis lost version {} while it was being written (restarted without its data?); "
          "nothing published",
          version_));
    }
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (entries_.empty()) return absl::OkStatus();
    const std::string lease = std::to_string(absl::ToInt64Milliseconds(options_.lock_lease));
    NJ_RETURN_IF_ERROR(Retry([&]() -> absl::StatusOr<RedisReply> {
                         // One lexicon at a time, so HSETs carry full field lists even when
                         // the caller interleaves lexicons.
                         std::vector<std::string_view> argv;
                         for (uint32_t lex = 0; lex < lexicons_.size(); ++lex) {
                           argv.assign({"HSET", lexicons_[lex].key});
                           for (const Entry& e : entries_) {
                             if (e.lexicon != lex) continue;
                             argv.emplace_back(data_.data() + e.offset, e.key_len);
                             argv.emplace_back(data_.data() + e.offset + e.key_len, e.record_len);
                             if (argv.size() == 2 + 2 * options_.fields_per_command) {
                               conn_->Append(argv);
                               argv.resize(2);
                             }
                           }
                           if (argv.size() > 2) conn_->Append(argv);
                         }
                         conn_->Append({"EVAL", kRenewScript, "1", keys_.lock(), token_, lease});
                         NJ_RETURN_IF_ERROR(conn_->Sync());
                         return RedisReply(nullptr);
                       }).status());
    entries_.clear();
    data_.clear();
    return absl::OkStatus();
  }

  void Release() {
    if (!conn_->broken()) (void)conn_->Command({"EVAL", kReleaseScript, "1", keys_.lock(), token_});
  }

  std::unique_ptr<RedisConnection> conn_;
  RedisKeys keys_;
  RedisStoreOptions options_;
  std::string version_;
  absl::Time created_at_;
  std::string token_;
  std::vector<Lexicon> lexicons_;
  std::vector<Entry> entries_;  // appended since the last flush
  std::string data_;            // their keys and records
  bool sealed_ = false;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<VersionBuilder> NewRedisVersionBuilder(std::unique_ptr<RedisConnection> conn,
                                                       const RedisKeys& keys,
                                                       const RedisStoreOptions& options,
                                                       std::string version, absl::Time now,
                                                       std::string token) {
  return std::make_unique<RedisVersionBuilder>(std::move(conn), keys, options, std::move(version),
                                               now, std::move(token));
}

std::string NewLockToken() {
  std::random_device rd;
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}:{:016x}", host, ::getpid(), (static_cast<uint64_t>(rd()) << 32) | rd());
}

absl::Status UnlinkKeys(RedisConnection& conn, const RedisKeys& keys, const std::string& version,
                        int count) {
  const std::string pattern = keys.version_pattern(version);
  const std::string count_s = std::to_string(count);
  std::string cursor = "0";
  do {
    NJ_ASSIGN_OR_RETURN(auto r, conn.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", count_s}));
    if (!r.is_array() || r.size() != 2) return absl::InternalError("redis: bad SCAN reply");
    cursor = std::string(r.element_str(0));
    const redisReply* list = r.raw()->element[1];
    if (list->elements > 0) {
      std::vector<std::string_view> argv = {"UNLINK"};
      for (size_t i = 0; i < list->elements; ++i) {
        argv.emplace_back(list->element[i]->str, list->element[i]->len);
      }
      NJ_RETURN_IF_ERROR(conn.Command(argv).status());
    }
  } while (cursor != "0");
  return absl::OkStatus();
}

}  // namespace nightjar
