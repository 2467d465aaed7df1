#include "corpus/mongo_source.h"

#include <fmt/format.h>
#include <mongoc/mongoc.h>

namespace nightjar {

struct MongoSource::Scan {
  MongoScan scan;
  MongoBounds bounds;
  std::string cursor_key;  // "" = keeps no cursor
  bool done = false;
};

// Owns the client and the collection; destroyed in the right order.
struct MongoSource::Driver {
  mongoc_uri_t* uri = nullptr;
  mongoc_client_t* client = nullptr;
  mongoc_collection_t* collection = nullptr;
  ~Driver() {
    if (collection != nullptr) mongoc_collection_destroy(collection);
    if (client != nullptr) mongoc_client_destroy(client);
    if (uri != nullptr) mongoc_uri_destroy(uri);
  }
};

namespace {

constexpr size_t kRawLimit = 4096;

struct CursorDeleter {
  void operator()(mongoc_cursor_t* c) const { mongoc_cursor_destroy(c); }
};

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mongoc_init(); });
}

absl::Status MongoError(const bson_error_t& e, std::string_view display, std::string_view what) {
  const std::string message = fmt::format("mongodb {}: {}: {}", display, what, e.message);
  if (IsTransientMongoError(e.domain, e.code)) return absl::UnavailableError(message);
  return absl::InvalidArgumentError(message);
}

class MongoBatch : public DocumentBatch {
 public:
  MongoBatch(std::vector<BsonPtr> docs, const MongoOptions& options, size_t max_document_bytes,
             std::shared_ptr<const std::string> name, uint64_t bytes)
      : docs_(std::move(docs)),
        options_(options),
        max_document_bytes_(max_document_bytes),
        name_(std::move(name)),
        bytes_(bytes) {}

  void ForEach(const std::function<void(const Document&)>& fn, RejectSink& rejects) override {
    MongoMapped mapped;
    for (const BsonPtr& doc : docs_) {
      if (MapDocument(doc.get(), options_, max_document_bytes_, &mapped)) {
        fn(mapped.doc);
        continue;
      }
      std::string raw = BsonToJson(doc.get());
      if (raw.size() > kRawLimit) raw.resize(kRawLimit);
      rejects.Add(Reject{*name_, 0, mapped.reason, mapped.detail, raw});
    }
  }
  uint64_t bytes() const override { return bytes_; }

 private:
  std::vector<BsonPtr> docs_;
  const MongoOptions& options_;  // the source's, which outlives its batches' use
  const size_t max_document_bytes_;
  std::shared_ptr<const std::string> name_;
  const uint64_t bytes_;
};

}  // namespace

bool IsTransientMongoError(uint32_t domain, uint32_t code) {
  if (domain == MONGOC_ERROR_STREAM || domain == MONGOC_ERROR_SERVER_SELECTION) return true;
  if (domain == MONGOC_ERROR_SERVER || domain == MONGOC_ERROR_QUERY) {
    switch (code) {
      case 6:      // HostUnreachable
      case 7:      // HostNotFound
      case 89:     // NetworkTimeout
      case 91:     // ShutdownInProgress
      case 189:    // PrimarySteppedDown
      case 9001:   // SocketException
      case 10107:  // NotWritablePrimary
      case 11600:  // InterruptedAtShutdown
      case 11602:  // InterruptedDueToReplStateChange
      case 13435:  // NotPrimaryNoSecondaryOk
      case 13436:  // NotPrimaryOrSecondary
        return true;
      default:
        return false;
    }
  }
  return false;
}

MongoSource::MongoSource(MongoOptions options, const SourceOptions& source, Sleep sleep)
    : options_(std::move(options)),
      source_(source),
      sleep_(sleep ? std::move(sleep) : Sleep([](absl::Duration d) { absl::SleepFor(d); })),
      driver_(std::make_unique<Driver>()) {}

MongoSource::~MongoSource() = default;

absl::StatusOr<std::unique_ptr<MongoSource>> MongoSource::Open(const SourceOptions& options,
                                                               RejectSink* rejects, Sleep sleep) {
  auto parsed = ParseMongoUri(options.uri, options.schema);
  if (!parsed.ok()) return parsed.status();
  InitOnce();
  std::unique_ptr<MongoSource> s(new MongoSource(std::move(*parsed), options, std::move(sleep)));
  const MongoOptions& o = s->options_;
  Driver& d = *s->driver_;
  bson_error_t error;
  d.uri = mongoc_uri_new_with_error(o.uri.c_str(), &error);
  if (d.uri == nullptr) {
    return absl::InvalidArgumentError(fmt::format("corpus.uri: {}: {}", o.display, error.message));
  }
  d.client = mongoc_client_new_from_uri_with_error(d.uri, &error);
  if (d.client == nullptr) return MongoError(error, o.display, "cannot create a client");
  mongoc_client_set_error_api(d.client, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_set_appname(d.client, "nightjar");
  BsonPtr ping(BCON_NEW("ping", BCON_INT32(1)));
  if (!mongoc_client_command_simple(d.client, "admin", ping.get(), nullptr, nullptr, &error)) {
    return MongoError(error, o.display, "cannot reach the server");
  }
  d.collection = mongoc_client_get_collection(d.client, o.database.c_str(), o.collection.c_str());
  s->name_ =
      std::make_shared<const std::string>(fmt::format("mongodb:{}/{}", o.database, o.collection));
  if (absl::Status st = s->Plan(); !st.ok()) return st;
  return s;
}

absl::Status MongoSource::Plan() {
  const MongoOptions& o = options_;
  auto scan = [&] {
    auto s = std::make_unique<Scan>();
    s->scan.id_field = o.id_field;
    s->scan.order_field = o.modified_at_field;
    s->scan.shard_index = source_.shard.index;
    s->scan.shard_count = source_.shard.count;
    return s;
  };
  if (o.modified_at_field.empty()) {
    scans_.push_back(scan());
    return absl::OkStatus();
  }
  // The largest watermark value decides its type and bounds the timed scan.
  BsonPtr filter(BCON_NEW(o.modified_at_field.c_str(), "{", "$exists", BCON_BOOL(true), "$ne",
                          BCON_NULL, "}"));
  BsonPtr opts(BCON_NEW("sort", "{", o.modified_at_field.c_str(), BCON_INT32(-1), "}", "limit",
                        BCON_INT64(1), "projection", "{", o.modified_at_field.c_str(),
                        BCON_INT32(1), "}"));
  std::unique_ptr<mongoc_cursor_t, CursorDeleter> cursor(
      mongoc_collection_find_with_opts(driver_->collection, filter.get(), opts.get(), nullptr));
  const bson_t* doc = nullptr;
  auto timed = scan();
  timed->done = true;
  if (mongoc_cursor_next(cursor.get(), &doc)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, o.modified_at_field.c_str())) {
      timed->scan.order_type = OrderTypeOf(it);
      if (timed->scan.order_type.empty()) {
        return absl::InvalidArgumentError(fmt::format(
            "corpus.uri: field {} of collection {} holds {} values; the watermark must be a "
            "date, an epoch number or RFC 3339 text",
            o.modified_at_field, o.collection, BsonToJson(doc)));
      }
      timed->bounds.to = BsonPtr(bson_new());
      bson_append_iter(timed->bounds.to.get(), "m", -1, &it);
      timed->done = false;
    }
  }
  bson_error_t error;
  if (mongoc_cursor_error(cursor.get(), &error)) {
    return MongoError(error, o.display, "cannot read the largest " + o.modified_at_field);
  }
  auto untimed = scan();
  untimed->scan.untimed = true;
  untimed->scan.order_type = timed->scan.order_type;
  scans_.push_back(std::move(untimed));
  if (source_.resume) {
    timed->cursor_key = *name_;
    if (auto held = source_.resume(*name_)) {
      BsonPtr key = DecodeCursor(*held);
      bson_iter_t m;
      if (key == nullptr) {
        return absl::DataLossError(
            fmt::format("state: the cursor of {} is unreadable: {}", *name_, *held));
      }
      if (bson_iter_init_find(&m, key.get(), "m")) {
        timed->bounds.from = BsonPtr(bson_new());
        bson_append_iter(timed->bounds.from.get(), "m", -1, &m);
        timed->bounds.overlap_s = o.overlap_s;
      }
    }
  }
  scans_.push_back(std::move(timed));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BsonPtr>> MongoSource::FetchPage(Scan& s) {
  const absl::Time deadline = absl::Now() + absl::Seconds(options_.retry_s);
  absl::Duration delay = absl::Milliseconds(100);
  const BsonPtr filter = PageFilter(s.scan, s.bounds);
  const BsonPtr opts = PageOptions(s.scan, options_, options_.batch);
  for (uint64_t attempt = 0;; ++attempt) {
    std::vector<BsonPtr> docs;
    std::unique_ptr<mongoc_cursor_t, CursorDeleter> cursor(
        mongoc_collection_find_with_opts(driver_->collection, filter.get(), opts.get(), nullptr));
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor.get(), &doc)) docs.emplace_back(bson_copy(doc));
    bson_error_t error;
    if (!mongoc_cursor_error(cursor.get(), &error)) return docs;
    absl::Status st = MongoError(error, options_.display, "a page read failed");
    if (!absl::IsUnavailable(st) || absl::Now() >= deadline) {
      if (attempt == 0) return st;
      return absl::Status(st.code(), fmt::format("{} (gave up after {} retries)",
                                                 std::string(st.message()), attempt));
    }
    retries_.fetch_add(1);
    sleep_(delay);
    delay = std::min(delay * 2, absl::Seconds(5));
  }
}

absl::StatusOr<std::unique_ptr<DocumentBatch>> MongoSource::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  for (;;) {
    while (current_ < scans_.size() && scans_[current_]->done) ++current_;
    if (current_ == scans_.size()) return nullptr;
    Scan& s = *scans_[current_];
    auto docs = FetchPage(s);
    if (!docs.ok()) return docs.status();
    if (docs->size() < options_.batch) s.done = true;
    if (docs->empty()) continue;
    BsonPtr key = KeyOf(docs->back().get(), s.scan);
    if (key == nullptr) {
      return absl::InternalError(
          fmt::format("mongodb {}: a document without {} in a page sorted by it", options_.display,
                      options_.id_field));
    }
    s.bounds.after = std::move(key);
    if (!s.cursor_key.empty()) {
      finished_.push_back(SourceCursor{s.cursor_key, EncodeCursor(s.bounds.after.get()), *name_});
    }
    uint64_t bytes = 0;
    for (const BsonPtr& d : *docs) bytes += d->len;
    bytes_read_.fetch_add(bytes);
    return std::unique_ptr<DocumentBatch>(std::make_unique<MongoBatch>(
        std::move(*docs), options_, source_.schema.max_document_bytes, name_, bytes));
  }
}

SourceProgress MongoSource::progress() const {
  return SourceProgress{bytes_read_.load(), 0, retries_.load()};
}

std::vector<SourceCursor> MongoSource::TakeFinishedCursors() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(finished_, {});
}

}  // namespace nightjar
