#ifndef NIGHTJAR_SERVE_LOOKUP_SERVER_H_
#define NIGHTJAR_SERVE_LOOKUP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "lexicon/corrector.h"
#include "obs/metrics.h"
#include "serve/live_snapshot.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace nightjar {

class JobsApi;

// How `nightjar serve` listens. Every field has a default; [serve] in the TOML config.
struct ServeOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::string admin_token;                // bearer token for /v1/admin/*; empty disables them
  int threads = 64;                       // request threads (one per open connection)
  int max_query_bytes = 2048;             // longer q= / term= values get 413
  // Every socket read and write of a request (headers, body, answer) must progress within this;
  // a connection that sends nothing is not handed to a thread until its first bytes arrive, and
  // is dropped by the kernel after about this long (TCP_DEFER_ACCEPT).
  int timeout_ms = 2000;
  int keep_alive_s = 2;           // an idle kept-alive connection is closed after this long
  int keep_alive_requests = 100;  // requests per connection before it is closed
  int backlog = 1024;             // connections the kernel queues until a thread accepts them
  int poll_ms = 5000;             // version re-check interval besides events
  CorrectorOptions corrector;     // how queries are corrected (serve.second_edit_margin)
  // The queues' Redis: when set (or REDIS_URL, see cli/serve.cc), /v1/jobs is served too
  // (serve/jobs_api.h), behind admin_token.
  std::string queue_uri;
  // Chooses job documents by selector for POST /v1/jobs (JobsApi::Selector; the CLI's, which has
  // the database's config); null = document lists only.
  std::function<absl::StatusOr<std::vector<std::string>>(
      const std::string& type, const std::string& kb, bool outdated,
      std::map<std::string, std::string>& options)>
      select_documents;
};

// The lookup service over HTTP:
//   GET /v1/correct?q=   GET /v1/expand?q=   GET /v1/related?term=   GET /v1/version
//   GET /healthz         GET /metrics (Prometheus text)
//   POST /v1/admin/activate?version=V   POST /v1/admin/rollback[?to=V]  (Authorization: Bearer)
//   /v1/jobs… (serve/jobs_api.h) when a queue Redis is configured      (Authorization: Bearer)
// Every answer names the version it was computed from; one request reads one snapshot.
class LookupServer {
 public:
  // Loads the active version, binds and starts serving on a background thread.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LookupServer>> Start(
      const ServeOptions& options, StoreOpener open);
  ~LookupServer();  // Stop()
  LookupServer(const LookupServer&) = delete;
  LookupServer& operator=(const LookupServer&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  LiveSnapshot& live() { return *live_; }
  MetricsRegistry& metrics() { return metrics_; }
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void Stop();
  // Blocks until Stop() is called from another thread (or a signal handler path).
  void Wait();

 private:
  LookupServer(ServeOptions options, StoreOpener open);
  // The lookup routes, /healthz and /metrics, then AdminRoutes().
  void Routes();
  // Answers a lookup from the snapshot and the checked parameter.
  using Answer = std::function<void(const Snapshot&, const std::string&, httplib::Response&)>;
  // `fn` behind the endpoint's request metrics and the checks of its parameter `param` (present,
  // at most max_query_bytes, valid UTF-8; null: none), holding the live snapshot to the end.
  std::function<void(const httplib::Request&, httplib::Response&)> Lookup(
      const std::string& endpoint, const char* param, Answer fn);
  void AdminRoutes();  // POST /v1/admin/activate and /v1/admin/rollback
  // Answers 403 (admin disabled) or 401 and returns false unless the bearer token matches.
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;

  ServeOptions options_;
  StoreOpener open_;
  MetricsRegistry metrics_;
  std::unique_ptr<LiveSnapshot> live_;
  std::unique_ptr<JobsApi> jobs_;  // when options_.queue_uri is set
  std::unique_ptr<httplib::Server> server_;
  std::string host_;
  int port_ = 0;
  std::thread thread_;
};

// Splits "host:port" (port 0..65535); InvalidArgument naming serve.listen otherwise.
[[nodiscard]] absl::StatusOr<std::pair<std::string, int>> ParseListen(const std::string& listen);

}  // namespace nightjar

#endif  // NIGHTJAR_SERVE_LOOKUP_SERVER_H_
