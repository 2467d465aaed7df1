#include "corpus/pg_conn.h"

#include <fmt/format.h>

#include "absl/strings/ascii.h"

namespace nightjar {
namespace {

// SQLSTATEs worth retrying: connection exceptions (class 08), the server shutting down or
// starting (57P01-57P03), serialization failures and deadlocks, too many connections.
bool IsTransientState(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "40001" || state == "40P01" || state == "53300";
}

std::string OneLine(const char* message) {
  std::string s = message == nullptr ? "" : message;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::vector<const char*> Pointers(const std::vector<std::string>& params) {
  std::vector<const char*> out;
  out.reserve(params.size());
  for (const std::string& p : params) out.push_back(p.c_str());
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo,
                                                        const std::string& display) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  if (raw == nullptr) return absl::ResourceExhaustedError("postgres: out of memory");
  std::unique_ptr<PgConn> conn(new PgConn(raw, display));
  if (PQstatus(raw) != CONNECTION_OK) return conn->ConnectionError("cannot connect");
  if (PQsetClientEncoding(raw, "UTF8") != 0) return conn->ConnectionError("cannot set UTF8");
  auto set =
      conn->Exec("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO'; SET IntervalStyle TO 'iso_8601'");
  if (!set.ok()) return set.status();
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

std::string PgConn::database() const { return PQdb(conn_); }

bool PgConn::connected() const { return PQstatus(conn_) == CONNECTION_OK; }

absl::Status PgConn::ConnectionError(std::string_view what) const {
  const std::string message =
      fmt::format("postgres {}: {}: {}", display_, what, OneLine(PQerrorMessage(conn_)));
  // A server that is down, restarting or unreachable may come back; bad credentials or a
  // missing database will not.
  const std::string lower = absl::AsciiStrToLower(message);
  const bool permanent = lower.find("authentication failed") != std::string::npos ||
                         lower.find("does not exist") != std::string::npos ||
                         lower.find("no password supplied") != std::string::npos ||
                         lower.find("invalid") != std::string::npos;
  return permanent ? absl::FailedPreconditionError(message) : absl::UnavailableError(message);
}

absl::StatusOr<PgResult> PgConn::Exec(const std::string& sql,
                                      const std::vector<std::string>& params) {
  if (auto s = Send(sql, params); !s.ok()) return s;
  PgResult last;
  // A string of several statements returns one result each: keep the last, fail on any error.
  for (;;) {
    auto r = Receive();
    if (!r.ok()) {
      while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
      return r.status();
    }
    if (*r == nullptr) break;
    last = std::move(*r);
  }
  return last;
}

absl::Status PgConn::Send(const std::string& sql, const std::vector<std::string>& params) {
  // Without parameters, the simple protocol: it takes several statements at once.
  if (params.empty() && PQsendQuery(conn_, sql.c_str()) == 0) {
    return ConnectionError("cannot send a query");
  }
  if (params.empty()) return absl::OkStatus();
  const std::vector<const char*> values = Pointers(params);
  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) == 0) {
    return ConnectionError("cannot send a query");
  }
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PgConn::Receive() {
  PgResult r(PQgetResult(conn_));
  if (r == nullptr) {
    if (PQstatus(conn_) != CONNECTION_OK) return ConnectionError("connection lost");
    return PgResult();
  }
  const ExecStatusType status = PQresultStatus(r.get());
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return r;
  const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
  const std::string message =
      fmt::format("postgres {}: {}", display_, OneLine(PQresultErrorMessage(r.get())));
  if (PQstatus(conn_) != CONNECTION_OK || state == nullptr || IsTransientState(state)) {
    return absl::UnavailableError(message);
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace nightjar
