// A fresh database on the PostgreSQL server scripts/test started (NIGHTJAR_TEST_DATABASE_URL),
// dropped at the end, so that tests running at once never see each other's tables.
#ifndef NIGHTJAR_TESTS_PG_DATABASE_H_
#define NIGHTJAR_TESTS_PG_DATABASE_H_

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "corpus/pg_conn.h"

namespace nightjar {

class PgDatabase {
 public:
  // available() is false when no server was given (the test should skip).
  PgDatabase() {
    const char* url = std::getenv("NIGHTJAR_TEST_DATABASE_URL");
    if (url == nullptr) return;
    server_ = url;
    static std::atomic<int> n{0};
    name_ = fmt::format("nj_test_{}_{}", ::getpid(), n++);
    auto admin = PgConn::Connect(server_, "test server");
    if (!admin.ok()) {
      error_ = std::string(admin.status().message());
      return;
    }
    (void)(*admin)->Exec("DROP DATABASE IF EXISTS " + name_);
    if (auto r = (*admin)->Exec("CREATE DATABASE " + name_); !r.ok()) {
      error_ = std::string(r.status().message());
      return;
    }
    uri_ = server_.substr(0, server_.rfind('/') + 1) + name_;
    auto conn = PgConn::Connect(uri_, "test database");
    if (conn.ok()) conn_ = std::move(*conn);
    if (!conn.ok()) error_ = std::string(conn.status().message());
  }
  ~PgDatabase() {
    conn_.reset();
    if (name_.empty()) return;
    auto admin = PgConn::Connect(server_, "test server");
    if (admin.ok()) (void)(*admin)->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  bool available() const { return conn_ != nullptr; }
  // Why the database is not available ("" when it is, or when no server was given).
  const std::string& error() const { return error_; }
  const std::string& uri() const { return uri_; }

  // Runs SQL (several statements allowed); the error message on failure, "" on success.
  std::string Exec(const std::string& sql) {
    if (!conn_ || !conn_->connected()) {
      auto conn = PgConn::Connect(uri_, "test database");
      if (!conn.ok()) return std::string(conn.status().message());
      conn_ = std::move(*conn);
    }
    auto r = conn_->Exec(sql);
    return r.ok() ? "" : std::string(r.status().message());
  }

  // Restarts the server (pg_ctl restart -m fast, waiting until it accepts connections again);
  // false when the test was not given a way to (NIGHTJAR_TEST_PG_CTL).
  static bool Restart() {
    const char* ctl = std::getenv("NIGHTJAR_TEST_PG_CTL");
    if (ctl == nullptr) return false;
    return std::system(fmt::format("{} restart -m fast >/dev/null 2>&1", ctl).c_str()) == 0;
  }

 private:
  std::string server_, name_, uri_, error_;
  std::unique_ptr<PgConn> conn_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_TESTS_PG_DATABASE_H_
