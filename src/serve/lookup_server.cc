#include "serve/lookup_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>

#include "absl/strings/str_join.h"
#include "serve/jobs_api.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {
namespace {

using Clock = std::chrono::steady_clock;

void Json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body + "\n", "application/json");
}

void Error(httplib::Response& res, int status, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("error").String(message).EndObject();
  Json(res, status, w.Take());
}

// Constant-time comparison for the bearer token.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

int HttpCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kInvalidArgument:
      return 409;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

// GET /v1/correct?q=: the query corrected, token by token.
void AnswerCorrect(const Snapshot& s, const std::string& q, httplib::Response& res) {
  const CorrectedQuery c = s.Correct(q);
  JsonWriter w;
  w.BeginObject().Key("version").String(s.version()).Key("query").String(q);
  w.Key("corrected").String(c.corrected).Key("tokens").BeginArray();
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    w.BeginObject().Key("token").String(c.tokens[i]);
    w.Key("correction").String(c.fixes[i].text).Key("score").Double(c.fixes[i].score);
    w.Key("how").String(c.fixes[i].how).EndObject();
  }
  w.EndArray().EndObject();
  Json(res, 200, w.Take());
}

// GET /v1/expand?q=: the corrected query's terms with their expansions.
void AnswerExpand(const Snapshot& s, const std::string& q, httplib::Response& res) {
  const CorrectedQuery c = s.Correct(q);
  JsonWriter w;
  w.BeginObject().Key("version").String(s.version()).Key("query").String(q);
  w.Key("corrected").String(c.corrected).Key("terms").BeginArray();
  for (const auto& t : c.terms) {
    w.BeginObject().Key("term").String(t).Key("expansions");
    WriteScoredList(w, s.Expand(t));
    w.EndObject();
  }
  w.EndArray().EndObject();
  Json(res, 200, w.Take());
}

// GET /v1/related?term=: the term's related terms, the term folded as the corpus was.
void AnswerRelated(const Snapshot& s, const std::string& term, httplib::Response& res) {
  const CorrectedQuery c = s.Correct(term);
  const std::string folded = absl::StrJoin(c.tokens, " ");
  JsonWriter w;
  w.BeginObject().Key("version").String(s.version());
  w.Key("term").String(folded).Key("related_terms");
  WriteScoredList(w, s.Related(folded));
  w.EndObject();
  Json(res, 200, w.Take());
}

}  // namespace

absl::StatusOr<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  return ParseHostPort(listen, "serve.listen");
}

LookupServer::LookupServer(ServeOptions options, StoreOpener open)
    : options_(std::move(options)),
      open_(std::move(open)),
      server_(std::make_unique<httplib::Server>()) {}

LookupServer::~LookupServer() { Stop(); }

absl::StatusOr<std::unique_ptr<LookupServer>> LookupServer::Start(const ServeOptions& options,
                                                                  StoreOpener open) {
  NJ_ASSIGN_OR_RETURN(auto hp, ParseListen(options.listen));
  std::unique_ptr<LookupServer> s(new LookupServer(options, std::move(open)));
  LiveSnapshotOptions lo;
  lo.poll = absl::Milliseconds(options.poll_ms);
  lo.corrector = options.corrector;
  NJ_ASSIGN_OR_RETURN(s->live_, LiveSnapshot::Start(s->open_, lo, &s->metrics_));
  if (!options.queue_uri.empty()) {
    NJ_ASSIGN_OR_RETURN(s->jobs_, JobsApi::Open(options.queue_uri, options.select_documents));
  }
  s->Routes();
  httplib::Server& srv = *s->server_;
  const int threads = options.threads;
  srv.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));  // NOLINT: httplib owns it
  };
  const time_t sec = options.timeout_ms / 1000;
  const time_t usec = (options.timeout_ms % 1000) * 1000;
  srv.set_read_timeout(sec, usec);
  srv.set_write_timeout(sec, usec);
  srv.set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs
  srv.set_keep_alive_max_count(static_cast<size_t>(options.keep_alive_requests));
  srv.set_keep_alive_timeout(options.keep_alive_s);
  // Lookups carry small bodies; a job submission carries its document ids.
  srv.set_payload_max_length(s->jobs_ ? size_t{64} << 20
                                      : static_cast<size_t>(options.max_query_bytes) * 4);
  // The listening socket: address reuse (as httplib's default), and connections that have sent
  // nothing wait in the kernel instead of holding one of the request threads.
  auto listen_fd = std::make_shared<socket_t>(-1);
  const int defer_s = std::max(1, (options.timeout_ms + 999) / 1000);
  srv.set_socket_options([listen_fd, defer_s](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ::setsockopt(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_s, sizeof(defer_s));
    *listen_fd = sock;
  });
  s->host_ = hp.first;
  if (hp.second == 0) {
    s->port_ = srv.bind_to_any_port(hp.first);
    if (s->port_ <= 0) {
      return absl::UnavailableError(fmt::format("serve: cannot bind {}", options.listen));
    }
  } else {
    if (!srv.bind_to_port(hp.first, hp.second)) {
      return absl::UnavailableError(fmt::format("serve: cannot bind {}", options.listen));
    }
    s->port_ = hp.second;
  }
  // httplib listens with a backlog of 5 (a compile-time constant of the packaged library);
  // listening again on the bound socket sets the configured one.
  if (*listen_fd < 0 || ::listen(*listen_fd, options.backlog) != 0) {
    return absl::UnavailableError(fmt::format("serve: cannot listen on {}", options.listen));
  }
  s->thread_ = std::thread([p = s.get()] { p->server_->listen_after_bind(); });
  return s;
}

void LookupServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void LookupServer::Wait() {
  if (thread_.joinable()) thread_.join();
}

std::function<void(const httplib::Request&, httplib::Response&)> LookupServer::Lookup(
    const std::string& endpoint, const char* param, Answer fn) {
  Counter* ok = &metrics_.GetCounter("nightjar_http_requests_total", "HTTP requests",
                                     fmt::format("endpoint=\"{}\",code=\"200\"", endpoint));
  Counter* bad = &metrics_.GetCounter("nightjar_http_requests_total", "HTTP requests",
                                      fmt::format("endpoint=\"{}\",code=\"4xx\"", endpoint));
  Histogram* latency =
      &metrics_.GetHistogram("nightjar_http_request_seconds", "HTTP request latency",
                             fmt::format("endpoint=\"{}\"", endpoint));
  const size_t max_query = static_cast<size_t>(options_.max_query_bytes);
  return [this, param, fn = std::move(fn), ok, bad, latency, max_query](const httplib::Request& req,
                                                                        httplib::Response& res) {
    const auto t0 = Clock::now();
    std::string value;
    if (param != nullptr) {
      if (!req.has_param(param)) {
        Error(res, 400, fmt::format("missing parameter '{}'", param));
      } else if ((value = req.get_param_value(param)).size() > max_query) {
        Error(res, 413, fmt::format("'{}' is longer than {} bytes", param, max_query));
      } else if (!IsValidUtf8(value)) {
        Error(res, 400, fmt::format("'{}' is not valid UTF-8", param));
      }
    }
    if (res.status < 400) {
      const std::shared_ptr<const Snapshot> snap = live_->Get();  // held to the end
      fn(*snap, value, res);
    }
    (res.status < 400 ? ok : bad)->Add();
    latency->Observe(std::chrono::duration<double>(Clock::now() - t0).count());
  };
}

void LookupServer::Routes() {
  httplib::Server& srv = *server_;
  srv.Get("/v1/correct", Lookup("correct", "q", AnswerCorrect));
  srv.Get("/v1/expand", Lookup("expand", "q", AnswerExpand));
  srv.Get("/v1/related", Lookup("related", "term", AnswerRelated));
  srv.Get("/v1/version",
          Lookup("version", nullptr,
                 [this](const Snapshot& s, const std::string&, httplib::Response& res) {
                   JsonWriter w;
                   w.BeginObject().Key("version").String(s.version());
                   w.Key("words").Uint(s.words());
                   w.Key("swaps").Uint(live_->swaps()).EndObject();
                   Json(res, 200, w.Take());
                 }));
  srv.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(live_->Get() ? "ok\n" : "no snapshot\n", "text/plain");
    res.status = live_->Get() ? 200 : 503;
  });
  srv.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.Render(), "text/plain; version=0.0.4");
  });
  AdminRoutes();
}

bool LookupServer::Authorized(const httplib::Request& req, httplib::Response& res) const {
  if (options_.admin_token.empty()) {
    Error(res, 403, "admin endpoints are disabled (set serve.admin_token)");
    return false;
  }
  const std::string auth = req.get_header_value("Authorization");
  if (!auth.starts_with("Bearer ") || !SameSecret(auth.substr(7), options_.admin_token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    Error(res, 401, "a valid bearer token is required");
    return false;
  }
  return true;
}

void LookupServer::AdminRoutes() {
  httplib::Server& srv = *server_;
  if (jobs_ != nullptr) {
    jobs_->AddRoutes(srv, [this](const httplib::Request& req, httplib::Response& res) {
      return Authorized(req, res);
    });
  }
  auto admin = [this](bool rollback) {
    return [this, rollback](const httplib::Request& req, httplib::Response& res) {
      if (!Authorized(req, res)) return;
      ActivateRequest ar;
      ar.version = req.get_param_value(rollback ? "to" : "version");
      if (!rollback && ar.version.empty()) return Error(res, 400, "missing parameter 'version'");
      ar.action = rollback ? "rollback" : "activate";
      ar.actor = "serve-admin@" + req.remote_addr;
      ar.force = req.get_param_value("force") == "true";
      ar.now = absl::Now();
      auto store = open_();
      if (!store.ok()) {
        return Error(res, HttpCode(store.status()), std::string(store.status().message()));
      }
      auto ev = (*store)->Activate(ar);
      if (!ev.ok()) return Error(res, HttpCode(ev.status()), std::string(ev.status().message()));
      live_->Poke();
      Json(res, 200, AuditEventJson(*ev));
    };
  };
  srv.Post("/v1/admin/activate", admin(false));
  srv.Post("/v1/admin/rollback", admin(true));
}

}  // namespace nightjar
