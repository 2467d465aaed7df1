#include "worker/reextract_store.h"

#include <fmt/format.h>

#include <functional>

#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {
namespace {

// Rows per INSERT statement (5-7 parameters each, under libpq's 65535).
constexpr size_t kRowsPerInsert = 1000;

std::string IndexName(std::string_view table, std::string_view suffix) {
  std::string name = fmt::format("{}_{}", table, suffix);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

std::string FormatStrength(double s) { return fmt::format("{:.17g}", s); }

// The transaction's effect on one document, retried once on a fresh connection when it was
// lost (the mark settles a commit whose outcome was unknown).
template <typename F>
auto RetryOnce(ReextractStore* store, absl::Status (ReextractStore::*reconnect)(), F&& f)
    -> decltype(f()) {
  auto r = f();
  if (r.ok() || !absl::IsUnavailable(r.status())) return r;
  if (absl::Status st = (store->*reconnect)(); !st.ok()) return st;
  return f();
}

}  // namespace

std::string QuoteTable(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) out += c == '.' ? std::string("\".\"") : std::string(1, c);
  return out + "\"";
}

absl::StatusOr<CleanupMode> ParseCleanupMode(std::string_view s) {
  if (s == "replace") return CleanupMode::kReplace;
  if (s == "merge") return CleanupMode::kMerge;
  return absl::InvalidArgumentError(
      fmt::format("cleanup mode '{}' is not one of replace, merge", s));
}

absl::StatusOr<std::unique_ptr<ReextractStore>> ReextractStore::Open(
    const ReextractOptions& options) {
  NJ_RETURN_IF_ERROR(ValidateReextractOptions(options));
  if (options.database_url.empty()) {
    return absl::InvalidArgumentError(
        "reextract: no database (set reextract.database_url or DATABASE_URL)");
  }
  NJ_ASSIGN_OR_RETURN(auto conn,
                      PgConn::Connect(options.database_url, RedactUri(options.database_url)));
  std::unique_ptr<ReextractStore> store(new ReextractStore(options, std::move(conn)));
  if (options.create_tables) NJ_RETURN_IF_ERROR(store->CreateTables());
  return store;
}

absl::Status ReextractStore::Reconnect() {
  NJ_ASSIGN_OR_RETURN(conn_,
                      PgConn::Connect(options_.database_url, RedactUri(options_.database_url)));
  return absl::OkStatus();
}

absl::StatusOr<PgResult> ReextractStore::Exec(const std::string& sql,
                                              const std::vector<std::string>& params) {
  const absl::Time start = absl::Now();
  auto r = conn_->Exec(sql, params);
  busy_ += absl::Now() - start;
  return r;
}

absl::Status ReextractStore::CreateTables() {
  const ReextractOptions& o = options_;
  const std::string sql = fmt::format(
      "BEGIN;"
      "SELECT pg_advisory_xact_lock(hashtext('nightjar.reextract.schema'));"
      "CREATE TABLE IF NOT EXISTS {docs} (id text PRIMARY KEY, kb text NOT NULL,"
      " extraction_version integer NOT NULL DEFAULT 0);"
      "CREATE INDEX IF NOT EXISTS {docs_idx} ON {docs} (kb, extraction_version);"
      "CREATE TABLE IF NOT EXISTS {chunks} (doc_id text NOT NULL, idx integer NOT NULL,"
      " text text NOT NULL, PRIMARY KEY (doc_id, idx));"
      "CREATE TABLE IF NOT EXISTS {ents} (doc_id text NOT NULL, domain text NOT NULL,"
      " name text NOT NULL, type text NOT NULL, description text NOT NULL DEFAULT '',"
      " PRIMARY KEY (doc_id, domain, name));"
      "CREATE TABLE IF NOT EXISTS {rels} (doc_id text NOT NULL, domain text NOT NULL,"
      " source text NOT NULL, target text NOT NULL, description text NOT NULL DEFAULT '',"
      " keywords text NOT NULL DEFAULT '', strength double precision NOT NULL DEFAULT 1,"
      " PRIMARY KEY (doc_id, domain, source, target));"
      "CREATE TABLE IF NOT EXISTS {marks} (job text NOT NULL, doc_id text NOT NULL,"
      " domain text NOT NULL, version integer NOT NULL,"
      " committed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, doc_id));"
      "COMMIT;",
      fmt::arg("docs", QuoteTable(o.documents_table)),
      fmt::arg("docs_idx", QuoteTable(IndexName(o.documents_table, "kb_version_idx"))),
      fmt::arg("chunks", QuoteTable(o.chunks_table)),
      fmt::arg("ents", QuoteTable(o.entities_table)),
      fmt::arg("rels", QuoteTable(o.relationships_table)),
      fmt::arg("marks", QuoteTable(o.marks_table)));
  auto r = Exec(sql, {});
  if (!r.ok()) {
    (void)conn_->Exec("ROLLBACK");
    return absl::Status(r.status().code(),
                        "reextract: creating the tables: " + std::string{r.status().message()});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Chunk>> ReextractStore::Chunks(const std::string& doc) {
  const std::string sql = fmt::format(
      "SELECT c.idx, c.text FROM {} d LEFT JOIN {} c ON c.doc_id = d.id WHERE d.id = $1"
      " ORDER BY c.idx",
      QuoteTable(options_.documents_table), QuoteTable(options_.chunks_table));
  NJ_ASSIGN_OR_RETURN(
      PgResult r, RetryOnce(this, &ReextractStore::Reconnect, [&] { return Exec(sql, {doc}); }));
  const int rows = PQntuples(r.get());
  if (rows == 0) {
    return absl::NotFoundError(
        fmt::format("document {} is not in {}", doc, options_.documents_table));
  }
  std::vector<Chunk> chunks;
  for (int i = 0; i < rows; ++i) {
    if (PQgetisnull(r.get(), i, 0)) continue;  // the document has no chunks
    chunks.push_back(Chunk{
        std::strtoll(PQgetvalue(r.get(), i, 0), nullptr, 10),
        std::string(PQgetvalue(r.get(), i, 1), static_cast<size_t>(PQgetlength(r.get(), i, 1)))});
  }
  return chunks;
}

absl::StatusOr<bool> ReextractStore::Committed(const std::string& job, const std::string& doc) {
  const std::string sql = fmt::format("SELECT 1 FROM {} WHERE job = $1 AND doc_id = $2",
                                      QuoteTable(options_.marks_table));
  NJ_ASSIGN_OR_RETURN(PgResult r, RetryOnce(this, &ReextractStore::Reconnect, [&] {
                        return Exec(sql, {job, doc});
                      }));
  return PQntuples(r.get()) > 0;
}

absl::StatusOr<bool> ReextractStore::Commit(const std::string& job, const std::string& doc,
                                            const std::string& domain, const Extraction& e,
                                            CleanupMode mode, int version) {
  return RetryOnce(this, &ReextractStore::Reconnect,
                   [&] { return CommitOnce(job, doc, domain, e, mode, version); });
}

absl::StatusOr<bool> ReextractStore::CommitOnce(const std::string& job, const std::string& doc,
                                                const std::string& domain, const Extraction& e,
                                                CleanupMode mode, int version) {
  NJ_RETURN_IF_ERROR(Exec("BEGIN", {}).status());
  auto body = [&]() -> absl::StatusOr<bool> {
    NJ_ASSIGN_OR_RETURN(
        PgResult mark,
        Exec(fmt::format("INSERT INTO {} (job, doc_id, domain, version) VALUES ($1, $2, $3, $4)"
                         " ON CONFLICT DO NOTHING",
                         QuoteTable(options_.marks_table)),
             {job, doc, domain, std::to_string(version)}));
    if (std::string_view(PQcmdTuples(mark.get())) == "0") return false;  // committed before
    NJ_ASSIGN_OR_RETURN(
        PgResult bump,
        Exec(fmt::format("UPDATE {} SET extraction_version = GREATEST(extraction_version, $2)"
                         " WHERE id = $1",
                         QuoteTable(options_.documents_table)),
             {doc, std::to_string(version)}));
    if (std::string_view(PQcmdTuples(bump.get())) == "0") {
      return absl::NotFoundError(
          fmt::format("document {} is no longer in {}", doc, options_.documents_table));
    }
    NJ_RETURN_IF_ERROR(InsertRows(doc, domain, e, mode));
    return true;
  };
  absl::StatusOr<bool> r = body();
  if (!r.ok() || !*r) {
    (void)conn_->Exec("ROLLBACK");
    return r;
  }
  NJ_RETURN_IF_ERROR(Exec("COMMIT", {}).status());
  return true;
}

absl::Status ReextractStore::InsertRows(const std::string& doc, const std::string& domain,
                                        const Extraction& e, CleanupMode mode) {
  const std::string ents = QuoteTable(options_.entities_table);
  const std::string rels = QuoteTable(options_.relationships_table);
  if (mode == CleanupMode::kReplace) {
    for (const std::string& t : {ents, rels}) {
      NJ_RETURN_IF_ERROR(
          Exec(fmt::format("DELETE FROM {} WHERE doc_id = $1 AND domain = $2", t), {doc, domain})
              .status());
    }
  }
  // Multi-row INSERTs of `width` parameters a row: doc_id and domain, then the row's own.
  auto insert = [&](const std::string& head, size_t width, size_t n, const std::string& tail,
                    const std::function<void(size_t, std::vector<std::string>&)>& row) {
    for (size_t from = 0; from < n; from += kRowsPerInsert) {
      std::string sql = head;
      std::vector<std::string> params;
      for (size_t i = from; i < std::min(n, from + kRowsPerInsert); ++i) {
        sql += i == from ? " VALUES (" : ", (";
        for (size_t c = 0; c < width; ++c) {
          sql += fmt::format("{}${}", c == 0 ? "" : ", ", params.size() + c + 1);
        }
        sql += ")";
        params.push_back(doc);
        params.push_back(domain);
        row(i, params);
      }
      NJ_RETURN_IF_ERROR(Exec(sql + tail, params).status());
    }
    return absl::OkStatus();
  };
  const bool merge = mode == CleanupMode::kMerge;
  NJ_RETURN_IF_ERROR(
      insert(fmt::format("INSERT INTO {} (doc_id, domain, name, type, description)", ents), 5,
             e.entities.size(),
             merge ? " ON CONFLICT (doc_id, domain, name) DO UPDATE SET type = EXCLUDED.type,"
                     " description = EXCLUDED.description"
                   : "",
             [&](size_t i, std::vector<std::string>& p) {
               p.push_back(e.entities[i].name);
               p.push_back(e.entities[i].type);
               p.push_back(e.entities[i].description);
             }));
  return insert(
      fmt::format(
          "INSERT INTO {} (doc_id, domain, source, target, description, keywords, strength)", rels),
      7, e.relationships.size(),
      merge ? " ON CONFLICT (doc_id, domain, source, target) DO UPDATE SET"
              " description = EXCLUDED.description, keywords = EXCLUDED.keywords,"
              " strength = EXCLUDED.strength"
            : "",
      [&](size_t i, std::vector<std::string>& p) {
        const Relationship& r = e.relationships[i];
        p.push_back(r.source);
        p.push_back(r.target);
        p.push_back(r.description);
        p.push_back(r.keywords);
        p.push_back(FormatStrength(r.strength));
      });
}

absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> ReextractStore::OutdatedByKb(
    int version) {
  const std::string sql = fmt::format(
      "SELECT kb, count(*) FROM {} WHERE extraction_version < $1 GROUP BY kb ORDER BY kb",
      QuoteTable(options_.documents_table));
  NJ_ASSIGN_OR_RETURN(PgResult r, RetryOnce(this, &ReextractStore::Reconnect,
                                            [&] { return Exec(sql, {std::to_string(version)}); }));
  std::vector<std::pair<std::string, uint64_t>> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    out.emplace_back(PQgetvalue(r.get(), i, 0),
                     std::strtoull(PQgetvalue(r.get(), i, 1), nullptr, 10));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ReextractStore::SelectDocuments(const std::string& kb,
                                                                         bool outdated,
                                                                         int version) {
  std::string sql =
      fmt::format("SELECT id FROM {} WHERE kb = $1", QuoteTable(options_.documents_table));
  std::vector<std::string> params = {kb};
  if (outdated) {
    sql += " AND extraction_version < $2";
    params.push_back(std::to_string(version));
  }
  sql += " ORDER BY id";
  NJ_ASSIGN_OR_RETURN(
      PgResult r, RetryOnce(this, &ReextractStore::Reconnect, [&] { return Exec(sql, params); }));
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(PQntuples(r.get())));
  for (int i = 0; i < PQntuples(r.get()); ++i) ids.emplace_back(PQgetvalue(r.get(), i, 0));
  return ids;
}

}  // namespace nightjar
