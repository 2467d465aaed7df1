#include "store/redis_store.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <simdjson.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <random>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "store/dir_store.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

// KEYS: current previous versions audit events. ARGV: target ("" = previous) action actor at
// force audit_max. Returns {version, previous, event JSON}.
constexpr std::string_view kActivateScript = R"lua(
local cur = redis.call('GET', KEYS[1])
local prev = redis.call('GET', KEYS[2])
local target = ARGV[1]
if target == '' then
  if not prev then return redis.error_reply('NOPREVIOUS there is no previous version to roll back to') end
  target = prev
end
local raw = redis.call('HGET', KEYS[3], target)
if not raw then return redis.error_reply('NOTFOUND version ' .. target .. ' not found') end
local st = cjson.decode(raw)
if st.state == 'building' then return redis.error_reply('BUILDING version ' .. target .. ' is still being built') end
if st.state == 'rejected' and ARGV[5] ~= '1' then
  return redis.error_reply('REJECTED version ' .. target .. ' was rejected (' .. tostring(st.note) .. '); activate it with --force to override')
end
local ev = cjson.encode({at=ARGV[4], action=ARGV[2], version=target, previous=cur or '', actor=ARGV[3]})
if cur == target then return {target, cur, ev} end
st.state = 'active'
st.activated_at = ARGV[4]
st.activated_by = ARGV[3]
if ARGV[5] == '1' and st.note ~= '' and string.sub(st.note, 1, 8) ~= 'forced: ' then st.note = 'forced: ' .. st.note end
redis.call('HSET', KEYS[3], target, cjson.encode(st))
if cur then
  local craw = redis.call('HGET', KEYS[3], cur)
  if craw then
    local c = cjson.decode(craw)
    c.state = 'retired'
    redis.call('HSET', KEYS[3], cur, cjson.encode(c))
  end
  redis.call('SET', KEYS[2], cur)
end
redis.call('SET', KEYS[1], target)
redis.call('LPUSH', KEYS[4], ev)
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[6]) - 1)
redis.call('PUBLISH', KEYS[5], ev)
return {target, cur or '', ev}
)lua";

// KEYS: current previous versions doomed. ARGV: version. Forgets the version and marks its
// keys for deletion, unless it is current or the rollback target.
constexpr std::string_view kForgetScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('GET', KEYS[2]) == ARGV[1] then
  return redis.error_reply('PROTECTED version ' .. ARGV[1] .. ' is the current version or the rollback target')
end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  return redis.error_reply('NOTFOUND version ' .. ARGV[1] .. ' not found')
end
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
)lua";

constexpr std::string_view kRenewScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)lua";

constexpr std::string_view kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// Maps a script's error reply ("NOTFOUND ...") onto a Status code.
absl::Status ScriptError(const absl::Status& s) {
  std::string_view m(s.message().data(), s.message().size());
  if (m.starts_with("redis: ")) m.remove_prefix(7);
  size_t sp = m.find(' ');
  std::string_view code = m.substr(0, sp);
  std::string msg(sp == std::string_view::npos ? m : m.substr(sp + 1));
  if (code == "NOTFOUND") return absl::NotFoundError(msg);
  if (code == "NOPREVIOUS" || code == "BUILDING" || code == "REJECTED" || code == "PROTECTED") {
    return absl::FailedPreconditionError(msg);
  }
  return s;
}

std::string NewToken() {
  std::random_device rd;
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}:{:016x}", host, ::getpid(), (static_cast<uint64_t>(rd()) << 32) | rd());
}

// Deletes every key of `version` with SCAN MATCH + UNLINK in batches of `count`.
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

absl::StatusOr<std::vector<VersionStatus>> ReadAllStatuses(RedisConnection& conn,
                                                           const RedisKeys& keys) {
  NJ_ASSIGN_OR_RETURN(auto r, conn.Command({"HGETALL", keys.versions()}));
  std::vector<VersionStatus> out;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    std::string_view name = r.element_str(i);
    if (!IsVersionName(name)) continue;
    NJ_ASSIGN_OR_RETURN(auto s, ParseVersionStatus(name, r.element_str(i + 1)));
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const VersionStatus& a, const VersionStatus& b) {
    return VersionNameLess(a.version, b.version);
  });
  return out;
}

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
    auto it = std::find_if(lexicons_.begin(), lexicons_.end(),
                           [&](const Lexicon& l) { return l.name == lexicon; });
    if (it == lexicons_.end()) {
      if (!IsLexiconName(lexicon)) {
        return absl::InvalidArgumentError(fmt::format("bad lexicon name '{}'", lexicon));
      }
      lexicons_.push_back(Lexicon{std::string(lexicon), keys_.lexicon(version_, lexicon)});
      it = lexicons_.end() - 1;
    }
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

  absl::Status Commit(std::string_view manifest_json, VersionState state,
                      std::string_view note) override {
    if (!sealed_) return absl::FailedPreconditionError("Commit before Seal");
    if (state != VersionState::kValidated && state != VersionState::kRejected) {
      return absl::InvalidArgumentError("Commit: state must be validated or rejected");
    }
    VersionStatus status;
    status.version = version_;
    status.state = state;
    status.created_at = created_at_;
    status.note = std::string(note);
    const std::string status_json = VersionStatusJson(status);
    const std::string manifest_key = keys_.manifest(version_);
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

class RedisWatcher : public VersionWatcher {
 public:
  RedisWatcher(std::unique_ptr<RedisConnection> conn, std::string channel)
      : conn_(std::move(conn)), channel_(std::move(channel)) {}

  absl::Status Subscribe() { return conn_->Command({"SUBSCRIBE", channel_}).status(); }

  absl::StatusOr<bool> Wait(absl::Duration timeout) override {
    if (conn_->broken()) {
      if (!conn_->Reconnect().ok() || !Subscribe().ok()) {
        std::this_thread::sleep_for(absl::ToChronoMilliseconds(timeout));
        return false;
      }
      return true;  // events may have been missed while disconnected
    }
    auto r = conn_->WaitForPush(timeout);
    if (absl::IsDeadlineExceeded(r.status())) return false;
    if (!r.ok()) return r.status();
    return true;
  }

 private:
  std::unique_ptr<RedisConnection> conn_;
  std::string channel_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RedisStore>> RedisStore::Open(const RedisEndpoint& endpoint,
                                                             const RedisStoreOptions& options) {
  NJ_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint));
  return std::unique_ptr<RedisStore>(new RedisStore(endpoint, options, std::move(conn)));
}

absl::StatusOr<RedisReply> RedisStore::Run(const std::vector<std::string_view>& argv) {
  if (conn_->broken()) NJ_RETURN_IF_ERROR(conn_->Reconnect());
  auto r = conn_->Command(argv);
  if (absl::IsUnavailable(r.status())) {
    NJ_RETURN_IF_ERROR(conn_->Reconnect());
    r = conn_->Command(argv);
  }
  return r;
}

absl::Status RedisStore::UnlinkVersionKeys(const std::string& version) {
  if (conn_->broken()) NJ_RETURN_IF_ERROR(conn_->Reconnect());
  NJ_RETURN_IF_ERROR(UnlinkKeys(*conn_, keys_, version, options_.scan_count));
  return Run({"SREM", keys_.doomed(), version}).status();
}

absl::StatusOr<std::unique_ptr<VersionBuilder>> RedisStore::Begin(absl::Time now) {
  const std::string token = NewToken();
  const std::string lease = std::to_string(absl::ToInt64Milliseconds(options_.lock_lease));
  // Builders are serialized by a leased lock; a crashed one's lease runs out.
  for (absl::Duration wait = absl::Milliseconds(50);; wait = std::min(wait * 2, absl::Seconds(2))) {
    NJ_ASSIGN_OR_RETURN(auto r, Run({"SET", keys_.lock(), token, "NX", "PX", lease}));
    if (!r.is_nil()) break;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(wait));
  }
  // With the lock held no builder is live: versions still building crashed; finish deletions.
  NJ_ASSIGN_OR_RETURN(auto statuses, ReadAllStatuses(*conn_, keys_));
  std::vector<std::string> names;
  for (const auto& s : statuses) {
    if (s.state == VersionState::kBuilding) {
      NJ_RETURN_IF_ERROR(Run({"HDEL", keys_.versions(), s.version}).status());
      NJ_RETURN_IF_ERROR(UnlinkKeys(*conn_, keys_, s.version, options_.scan_count));
    } else {
      names.push_back(s.version);
    }
  }
  NJ_ASSIGN_OR_RETURN(auto doomed, Run({"SMEMBERS", keys_.doomed()}));
  for (size_t i = 0; i < doomed.size(); ++i) {
    NJ_RETURN_IF_ERROR(UnlinkVersionKeys(std::string(doomed.element_str(i))));
  }
  std::string version = NextVersionName(now, names);
  VersionStatus building;
  building.version = version;
  building.created_at = now;
  NJ_RETURN_IF_ERROR(
      Run({"HSET", keys_.versions(), version, VersionStatusJson(building)}).status());
  NJ_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint_));
  return std::unique_ptr<VersionBuilder>(
      std::make_unique<RedisVersionBuilder>(std::move(conn), keys_, options_, version, now, token));
}

absl::StatusOr<std::optional<std::string>> RedisStore::Current() {
  NJ_ASSIGN_OR_RETURN(auto r, Run({"GET", keys_.current()}));
  if (r.is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.str()));
}

absl::StatusOr<std::optional<std::string>> RedisStore::Previous() {
  NJ_ASSIGN_OR_RETURN(auto r, Run({"GET", keys_.previous()}));
  if (r.is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.str()));
}

absl::StatusOr<std::vector<VersionStatus>> RedisStore::List() {
  if (conn_->broken()) NJ_RETURN_IF_ERROR(conn_->Reconnect());
  NJ_ASSIGN_OR_RETURN(auto all, ReadAllStatuses(*conn_, keys_));
  std::erase_if(all, [](const VersionStatus& s) { return s.state == VersionState::kBuilding; });
  return all;
}

absl::StatusOr<std::string> RedisStore::ReadManifest(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  NJ_ASSIGN_OR_RETURN(auto r, Run({"GET", keys_.manifest(version)}));
  if (r.is_nil()) {
    return absl::NotFoundError(
        fmt::format("version {} not found in namespace {}", version, endpoint_.ns));
  }
  std::string text(r.str());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view format;
  int64_t format_version = 0;
  if (parser.parse(text).get(doc) || doc["format"].get(format) || format != kManifestMagic) {
    return absl::DataLossError(fmt::format("{}: not a nightjar manifest", keys_.manifest(version)));
  }
  if (doc["format_version"].get(format_version) || format_version != kFormatVersion) {
    return absl::FailedPreconditionError(
        fmt::format("{}: format_version {} is not supported (this build reads {})",
                    keys_.manifest(version), format_version, kFormatVersion));
  }
  return text;
}

absl::Status RedisStore::ScanLexicon(const std::string& version, std::string_view lexicon,
                                     const std::function<void(std::string_view record)>& fn) {
  NJ_ASSIGN_OR_RETURN(std::string manifest_text, ReadManifest(version));
  simdjson::dom::parser mparser;
  simdjson::dom::element manifest = mparser.parse(manifest_text).value_unsafe();
  std::string_view expected_view;
  if (manifest["lexicons"][std::string(lexicon)]["checksum"].get(expected_view)) {
    return absl::NotFoundError(fmt::format("version {} has no lexicon '{}'", version, lexicon));
  }
  const std::string expected(expected_view);
  const std::string key = keys_.lexicon(version, lexicon);
  const bool bulk = IsBulkLexicon(lexicon);
  const std::string count = std::to_string(bulk ? 16 : options_.hscan_count);
  RecordSetChecksum sum;
  // HSCAN may return a field twice while the hash is rehashed; each record is delivered once.
  // Fields are remembered by 64-bit hash (a collision would drop a record and fail the checksum).
  absl::flat_hash_set<uint64_t> seen;
  // The next HSCAN is sent before this batch is processed, so Redis works while we parse.
  if (conn_->broken()) NJ_RETURN_IF_ERROR(conn_->Reconnect());
  conn_->Append({"HSCAN", key, "0", "COUNT", count});
  bool first = true;
  while (true) {
    NJ_ASSIGN_OR_RETURN(auto r, conn_->GetReply());
    if (!r.is_array() || r.size() != 2) return absl::InternalError("redis: bad HSCAN reply");
    const std::string cursor(r.element_str(0));
    if (cursor != "0") {
      conn_->Append({"HSCAN", key, cursor, "COUNT", count});
      NJ_RETURN_IF_ERROR(conn_->Send());
    }
    const redisReply* list = r.raw()->element[1];
    const bool dedupe = !(cursor == "0" && first);
    first = false;
    for (size_t i = 0; i + 1 < list->elements; i += 2) {
      std::string_view field(list->element[i]->str, list->element[i]->len);
      if (dedupe && !seen.insert(XXH3_64bits(field.data(), field.size())).second) continue;
      std::string_view value(list->element[i + 1]->str, list->element[i + 1]->len);
      if (!bulk) {
        sum.Add(value);
        fn(value);
        continue;
      }
      while (!value.empty()) {
        const size_t nl = value.find('\n');
        const std::string_view record = value.substr(0, nl);
        sum.Add(record);
        fn(record);
        value = nl == std::string_view::npos ? std::string_view() : value.substr(nl + 1);
      }
    }
    if (cursor == "0") break;
  }
  if (sum.Hex() != expected) {
    return absl::DataLossError(
        fmt::format("{}: checksum {} does not match manifest {}", key, sum.Hex(), expected));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditEvent> RedisStore::Activate(const ActivateRequest& req) {
  const std::string at = FormatUtc(req.now);
  const std::string audit_max = std::to_string(options_.audit_max);
  auto r = Run({"EVAL", kActivateScript, "5", keys_.current(), keys_.previous(), keys_.versions(),
                keys_.audit(), keys_.events(), req.version, req.action, req.actor, at,
                req.force ? "1" : "0", audit_max});
  if (!r.ok()) return ScriptError(r.status());
  if (r->size() != 3) return absl::InternalError("redis: bad activation reply");
  return ParseAuditEvent(r->element_str(2));
}

absl::Status RedisStore::Delete(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  auto r = Run({"EVAL", kForgetScript, "4", keys_.current(), keys_.previous(), keys_.versions(),
                keys_.doomed(), version});
  if (!r.ok()) return ScriptError(r.status());
  return UnlinkVersionKeys(version);
}

absl::StatusOr<std::vector<AuditEvent>> RedisStore::Audit(size_t limit) {
  if (limit == 0) return std::vector<AuditEvent>();
  NJ_ASSIGN_OR_RETURN(auto r, Run({"LRANGE", keys_.audit(), "0", std::to_string(limit - 1)}));
  std::vector<AuditEvent> out;
  for (size_t i = 0; i < r.size(); ++i) {
    NJ_ASSIGN_OR_RETURN(auto ev, ParseAuditEvent(r.element_str(i)));
    out.push_back(std::move(ev));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<VersionWatcher>> RedisStore::Watch() {
  NJ_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint_));
  auto w = std::make_unique<RedisWatcher>(std::move(conn), keys_.events());
  NJ_RETURN_IF_ERROR(w->Subscribe());
  return std::unique_ptr<VersionWatcher>(std::move(w));
}

}  // namespace nightjar
