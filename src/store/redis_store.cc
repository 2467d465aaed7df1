#include "store/redis_store.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <xxhash.h>

#include <algorithm>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "store/manifest.h"
#include "store/redis_builder.h"
#include "store/redis_scripts.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

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

class RedisWatcher : public VersionWatcher {
 public:
  RedisWatcher(std::unique_ptr<RedisConnection> conn, std::string channel)
      : conn_(std::move(conn)), channel_(std::move(channel)) {}

  absl::Status Subscribe() { return conn_->Command({"SUBSCRIBE", channel_}).status(); }

  absl::StatusOr<bool> Wait(absl::Duration timeout) override {
    if (conn_->broken()) {
      // One attempt per Wait: the caller wakes every timeout (to notice shutdown) and retries.
      if (!conn_->Reconnect(/*retries=*/0).ok() || !Subscribe().ok()) {
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
  const std::string token = NewLockToken();
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
  return NewRedisVersionBuilder(std::move(conn), keys_, options_, version, now, token);
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

absl::StatusOr<Manifest> RedisStore::ReadManifest(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  NJ_ASSIGN_OR_RETURN(auto r, Run({"GET", keys_.manifest(version)}));
  if (r.is_nil()) {
    return absl::NotFoundError(
        fmt::format("version {} not found in namespace {}", version, endpoint_.ns));
  }
  return Manifest::Parse(r.str(), keys_.manifest(version));
}

absl::Status RedisStore::ScanLexicon(const std::string& version, std::string_view lexicon,
                                     const std::function<void(std::string_view record)>& fn) {
  NJ_ASSIGN_OR_RETURN(const Manifest manifest, ReadManifest(version));
  const LexiconFileInfo* info = manifest.Lexicon(lexicon);
  if (info == nullptr) {
    return absl::NotFoundError(fmt::format("version {} has no lexicon '{}'", version, lexicon));
  }
  const std::string expected = info->checksum;
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
