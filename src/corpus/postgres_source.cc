#include "corpus/postgres_source.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cstdlib>

namespace nightjar {

// How a scan's rows map to documents: [text columns..., millis, deleted?] then the key (id as
// text, and the order column as text when the scan has one).
struct PostgresSource::Scan {
  PgScan scan;
  PgPageBounds bounds;
  std::string cursor_key;  // "" = keeps no cursor
  size_t text_columns = 0;
  bool epoch_number = false;  // the millis column holds an epoch number (EpochToMillis)
  bool has_deleted = false;   // a deleted flag column follows the millis column
  bool tombstones = false;    // every row is a tombstone (the hard-delete table)
  bool done = false;
};

namespace {

constexpr size_t kRawLimit = 4096;  // bytes of a rejected row kept in quarantine

// One keyset page: its rows, parsed into documents on the consuming thread.
class PgBatch : public DocumentBatch {
 public:
  PgBatch(PgResult result, const PostgresSource::Scan& scan, size_t max_document_bytes,
          std::shared_ptr<const std::string> name, uint64_t bytes)
      : result_(std::move(result)),
        text_columns_(scan.text_columns),
        epoch_number_(scan.epoch_number),
        has_deleted_(scan.has_deleted),
        tombstones_(scan.tombstones),
        has_order_(scan.scan.order.has_value()),
        max_document_bytes_(max_document_bytes),
        name_(std::move(name)),
        bytes_(bytes) {}

  void ForEach(const std::function<void(const Document&)>& fn, RejectSink& rejects) override {
    PGresult* r = result_.get();
    const int rows = PQntuples(r);
    const int id_col = PQnfields(r) - (has_order_ ? 2 : 1);
    std::vector<std::string_view> fields(text_columns_);
    Document doc;
    for (int row = 0; row < rows; ++row) {
      auto value = [&](int col) {
        return std::string_view(PQgetvalue(r, row, col),
                                static_cast<size_t>(PQgetlength(r, row, col)));
      };
      auto reject = [&](RejectReason reason, const std::string& detail) {
        std::string raw;
        for (int c = 0; c < PQnfields(r) && raw.size() < kRawLimit; ++c) {
          if (c > 0) raw += '\t';
          raw += PQgetisnull(r, row, c) ? "\\N" : value(c);
        }
        if (raw.size() > kRawLimit) raw.resize(kRawLimit);
        rejects.Add(Reject{*name_, 0, reason, detail, raw});
      };
      const std::string_view id = value(id_col);
      if (PQgetisnull(r, row, id_col) || id.empty()) {
        reject(RejectReason::kMissingId, "document id is null or empty");
        continue;
      }
      bool bad = false;
      for (size_t i = 0; i < text_columns_ && !bad; ++i) {
        const int col = static_cast<int>(i);
        fields[i] = PQgetisnull(r, row, col) ? std::string_view() : value(col);
        if (!simdjson::validate_utf8(fields[i].data(), fields[i].size())) {
          reject(RejectReason::kInvalidUtf8,
                 fmt::format("column {} of document {} is not valid UTF-8", PQfname(r, col),
                             simdjson::validate_utf8(id.data(), id.size()) ? id : "?"));
          bad = true;
        }
      }
      if (bad) continue;
      const int ms_col = static_cast<int>(text_columns_);
      doc.modified_at_ms = Document::kNoTime;
      if (!PQgetisnull(r, row, ms_col)) {
        const std::string_view v = value(ms_col);
        int64_t n = 0;
        std::from_chars(v.data(), v.data() + v.size(), n);
        doc.modified_at_ms = epoch_number_ ? EpochToMillis(static_cast<double>(n)) : n;
      }
      doc.deleted = tombstones_;
      if (has_deleted_ && !PQgetisnull(r, row, ms_col + 1)) {
        const std::string_view d = value(ms_col + 1);
        if (d == "t" || d == "1") {
          doc.deleted = true;
        } else if (d != "f" && d != "0") {
          reject(RejectReason::kBadDeleted,
                 fmt::format("deleted flag of document {} is {}, not 0 or 1", id, d));
          continue;
        }
      }
      doc.id = id;
      doc.truncated = TruncateToBudget(max_document_bytes_, &fields);
      doc.fields = fields;
      fn(doc);
    }
  }
  uint64_t bytes() const override { return bytes_; }

 private:
  PgResult result_;
  const size_t text_columns_;
  const bool epoch_number_, has_deleted_, tombstones_, has_order_;
  const size_t max_document_bytes_;
  std::shared_ptr<const std::string> name_;
  const uint64_t bytes_;
};

uint64_t ResultBytes(const PGresult* r) {
  uint64_t n = 0;
  const int rows = PQntuples(r), cols = PQnfields(r);
  for (int row = 0; row < rows; ++row) {
    for (int c = 0; c < cols; ++c) n += static_cast<uint64_t>(PQgetlength(r, row, c));
  }
  return n;
}

absl::StatusOr<std::vector<PgColumn>> TableColumns(PgConn& conn, const std::string& table,
                                                   const std::string& display) {
  auto r = conn.Exec(
      "SELECT attname, atttypid::int8, format_type(atttypid, atttypmod) FROM pg_attribute "
      "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      {QuoteIdentifier(table)});
  if (!r.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: cannot read the columns of table {} in {}: {}", table, display,
                    std::string(r.status().message())));
  }
  std::vector<PgColumn> out;
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    PgColumn c;
    c.name = PQgetvalue(r->get(), row, 0);
    c.kind = PgKindOfType(
        static_cast<uint32_t>(std::strtoul(PQgetvalue(r->get(), row, 1), nullptr, 10)));
    c.type = PQgetvalue(r->get(), row, 2);
    out.push_back(std::move(c));
  }
  return out;
}

// The largest value of `column` now (the scan's upper bound), or "" when every row has NULL.
absl::StatusOr<std::string> MaxOf(PgConn& conn, const std::string& table, const PgColumn& column) {
  auto r = conn.Exec(fmt::format("SELECT max({})::text FROM {}", QuoteIdentifier(column.name),
                                 QuoteIdentifier(table)));
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) != 1 || PQgetisnull(r->get(), 0, 0)) return std::string();
  return std::string(PQgetvalue(r->get(), 0, 0));
}

}  // namespace

PostgresSource::PostgresSource(PostgresOptions options, const SourceOptions& source, Sleep sleep)
    : options_(std::move(options)),
      source_(source),
      sleep_(sleep ? std::move(sleep) : Sleep([](absl::Duration d) { absl::SleepFor(d); })) {}

PostgresSource::~PostgresSource() = default;

absl::StatusOr<std::unique_ptr<PostgresSource>> PostgresSource::Open(const SourceOptions& options,
                                                                     RejectSink* rejects,
                                                                     Sleep sleep) {
  auto parsed = ParsePostgresUri(options.uri, options.schema);
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<PostgresSource> s(
      new PostgresSource(std::move(*parsed), options, std::move(sleep)));
  const PostgresOptions& o = s->options_;
  auto conn = PgConn::Connect(o.conninfo, o.display);
  if (!conn.ok()) return conn.status();
  s->conn_ = std::move(*conn);
  s->name_ = std::make_shared<const std::string>(
      fmt::format("postgres:{}/{}", s->conn_->database(), o.table));
  auto columns = TableColumns(*s->conn_, o.table, o.display);
  if (!columns.ok()) return columns.status();
  auto layout = CheckColumns(o, *columns, o.table);
  if (!layout.ok()) return layout.status();
  std::optional<PgColumn> deletes_at;
  if (!o.deletes_table.empty()) {
    auto dcolumns = TableColumns(*s->conn_, o.deletes_table, o.display);
    if (!dcolumns.ok()) return dcolumns.status();
    PostgresOptions d;
    d.id_columns = {layout->id.name};
    d.text_columns = {};
    d.modified_at_column = o.deletes_at_column;
    d.deleted_column = "";
    auto dlayout = CheckColumns(d, *dcolumns, o.deletes_table);
    if (!dlayout.ok()) return dlayout.status();
    deletes_at = dlayout->modified_at;
  }
  if (auto st = s->Plan(*layout, deletes_at); !st.ok()) return st;
  return s;
}

absl::Status PostgresSource::Plan(const PgLayout& layout,
                                  const std::optional<PgColumn>& deletes_at) {
  const PostgresOptions& o = options_;
  std::vector<std::string> select;
  for (const PgColumn& c : layout.text) select.push_back(QuoteIdentifier(c.name));
  const size_t text_columns = select.size();
  // A shard's share of the rows: a hash of the id, so that a row's shard depends only on its id
  // and the shard count (hashtextextended: PostgreSQL 11 or later).
  auto sharded = [&](std::string filter) {
    if (source_.shard.count <= 1) return filter;
    std::string shard =
        fmt::format("(hashtextextended({}::text, 0) & 9223372036854775807) % {} = {}",
                    QuoteIdentifier(layout.id.name), source_.shard.count, source_.shard.index);
    return filter.empty() ? shard : filter + " AND " + shard;
  };
  auto rows_scan = [&](std::optional<PgColumn> order, std::string filter, std::string millis) {
    auto s = std::make_unique<Scan>();
    s->scan.table = QuoteIdentifier(o.table);
    s->scan.id = layout.id;
    s->scan.order = std::move(order);
    s->scan.filter = sharded(std::move(filter));
    s->scan.select = select;
    s->scan.select.push_back(std::move(millis));
    if (layout.deleted) s->scan.select.push_back(QuoteIdentifier(layout.deleted->name));
    s->text_columns = text_columns;
    s->epoch_number = layout.modified_at && layout.modified_at->kind == PgKind::kInteger;
    s->has_deleted = layout.deleted.has_value();
    return s;
  };
  // Resumes a keyset scan from its stored cursor, less the overlap.
  auto resume = [&](Scan& s, const std::string& key) -> absl::Status {
    if (!source_.resume) return absl::OkStatus();
    s.cursor_key = key;
    const std::optional<std::string> held = source_.resume(key);
    if (!held) return absl::OkStatus();
    auto keyset = DecodeKeyset(*held);
    if (!keyset) {
      return absl::DataLossError(
          fmt::format("state: the cursor of {} is unreadable: {}", key, *held));
    }
    s.bounds.from_order = keyset->first;
    s.bounds.overlap_s = o.overlap_s;
    return absl::OkStatus();
  };
  if (!layout.modified_at) {
    scans_.push_back(rows_scan(std::nullopt, "", "NULL::int8"));
  } else {
    const PgColumn& m = *layout.modified_at;
    scans_.push_back(rows_scan(std::nullopt, QuoteIdentifier(m.name) + " IS NULL", "NULL::int8"));
    auto timed = rows_scan(m, "", MillisExpression(m));
    auto max = MaxOf(*conn_, o.table, m);
    if (!max.ok()) return max.status();
    timed->bounds.to_order = *max;
    timed->done = max->empty();
    if (auto st = resume(*timed, *name_); !st.ok()) return st;
    scans_.push_back(std::move(timed));
  }
  if (deletes_at) {
    auto s = std::make_unique<Scan>();
    s->scan.table = QuoteIdentifier(o.deletes_table);
    s->scan.id = layout.id;
    s->scan.order = *deletes_at;
    s->scan.select = {MillisExpression(*deletes_at)};
    s->scan.filter = sharded("");
    s->epoch_number = deletes_at->kind == PgKind::kInteger;
    s->tombstones = true;
    auto max = MaxOf(*conn_, o.deletes_table, *deletes_at);
    if (!max.ok()) return max.status();
    s->bounds.to_order = *max;
    s->done = max->empty();
    const std::string key = fmt::format("postgres:{}/{}", conn_->database(), o.deletes_table);
    if (auto st = resume(*s, key); !st.ok()) return st;
    scans_.push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::Status PostgresSource::SendCurrent() {
  while (current_ < scans_.size() && scans_[current_]->done) ++current_;
  if (current_ == scans_.size()) return absl::OkStatus();
  const Scan& s = *scans_[current_];
  const PgQuery q = PageQuery(s.scan, s.bounds, options_.batch_rows);
  if (auto st = conn_->Send(q.sql, q.params); !st.ok()) return st;
  pending_ = true;
  return absl::OkStatus();
}

absl::Status PostgresSource::Reconnect() {
  auto conn = PgConn::Connect(options_.conninfo, options_.display);
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PostgresSource::ReceiveWithRetry() {
  const absl::Time deadline = absl::Now() + absl::Seconds(options_.retry_s);
  absl::Duration delay = absl::Milliseconds(100);
  uint64_t attempts = 0;
  for (;;) {
    absl::Status st = pending_ ? absl::OkStatus() : SendCurrent();
    if (st.ok()) {
      auto r = conn_->Receive();
      pending_ = false;
      if (r.ok() && *r != nullptr) {
        // Drain the end of the query so that the connection takes the next one.
        auto end = conn_->Receive();
        if (end.ok() && *end == nullptr) return r;
        st = end.ok() ? absl::InternalError("postgres: a page query returned two results")
                      : end.status();
      } else {
        st =
            r.ok() ? absl::UnavailableError("postgres: a page query returned nothing") : r.status();
      }
    }
    pending_ = false;
    if (!absl::IsUnavailable(st) || absl::Now() >= deadline) {
      if (attempts == 0) return st;
      return absl::Status(
          st.code(), fmt::format("{} (gave up after {} retries in {} s)", std::string(st.message()),
                                 attempts, options_.retry_s));
    }
    ++attempts;
    retries_.fetch_add(1);
    sleep_(delay);
    delay = std::min(delay * 2, absl::Seconds(5));
    // A fresh connection: the old one may still look open while the server has ended it
    // (57P01), with the failed query's results not drained.
    if (absl::Status c = Reconnect(); !c.ok() && !absl::IsUnavailable(c)) return c;
  }
}

absl::StatusOr<std::unique_ptr<DocumentBatch>> PostgresSource::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  for (;;) {
    while (current_ < scans_.size() && scans_[current_]->done) ++current_;
    if (current_ == scans_.size()) return nullptr;
    auto result = ReceiveWithRetry();
    if (!result.ok()) return result.status();
    Scan& s = *scans_[current_];
    PGresult* r = result->get();
    const int rows = PQntuples(r);
    if (rows > 0) {
      const int last = rows - 1, cols = PQnfields(r);
      if (s.scan.order) {
        s.bounds.after_id = PQgetvalue(r, last, cols - 2);
        s.bounds.after_order = PQgetvalue(r, last, cols - 1);
      } else {
        s.bounds.after_id = PQgetvalue(r, last, cols - 1);
      }
      if (!s.cursor_key.empty()) {
        finished_.push_back(SourceCursor{
            s.cursor_key, EncodeKeyset(s.bounds.after_order, s.bounds.after_id), *name_});
      }
    }
    if (static_cast<size_t>(rows) < options_.batch_rows) s.done = true;
    // The server reads the next page while this one is consumed. A failure to send shows
    // again, and is retried, when the next page is received.
    (void)SendCurrent();
    if (rows == 0) continue;
    const uint64_t bytes = ResultBytes(r);
    bytes_read_.fetch_add(bytes);
    return std::unique_ptr<DocumentBatch>(std::make_unique<PgBatch>(
        std::move(*result), s, source_.schema.max_document_bytes, name_, bytes));
  }
}

SourceProgress PostgresSource::progress() const {
  return SourceProgress{bytes_read_.load(), 0, retries_.load()};
}

std::vector<SourceCursor> PostgresSource::TakeFinishedCursors() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(finished_, {});
}

}  // namespace nightjar
