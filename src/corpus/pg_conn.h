#ifndef NIGHTJAR_CORPUS_PG_CONN_H_
#define NIGHTJAR_CORPUS_PG_CONN_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nightjar {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
// A query's result; independent of the connection once received.
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// One libpq connection, in UTC and ISO dates, text results. Not thread-safe. Errors are
// Unavailable when retrying may help (a lost connection, a server shutting down or starting,
// a serialization failure) and another code otherwise; messages never hold the password.
class PgConn {
 public:
  // Connects with `conninfo` (a libpq URI or key=value string). `display` names the server in
  // errors (a redacted URI).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PgConn>> Connect(const std::string& conninfo,
                                                                       const std::string& display);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs `sql` with text parameters and waits for its result (tuples or a command's status).
  // Without parameters `sql` may hold several statements; the last one's result is returned.
  [[nodiscard]] absl::StatusOr<PgResult> Exec(const std::string& sql,
                                              const std::vector<std::string>& params = {});
  // Sends `sql` without waiting; Receive then waits for its result. One query at a time.
  [[nodiscard]] absl::Status Send(const std::string& sql, const std::vector<std::string>& params);
  [[nodiscard]] absl::StatusOr<PgResult> Receive();

  // The database's name.
  std::string database() const;
  // False once the connection is lost.
  bool connected() const;

 private:
  PgConn(PGconn* conn, std::string display) : conn_(conn), display_(std::move(display)) {}
  absl::Status ConnectionError(std::string_view what) const;

  PGconn* conn_;
  std::string display_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_PG_CONN_H_
