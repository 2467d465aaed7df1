#include "obs/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& listen, std::string_view setting,
    const std::function<std::string()>& render) {
  NJ_ASSIGN_OR_RETURN(auto hp, ParseHostPort(listen, setting));
  std::unique_ptr<MetricsServer> m(new MetricsServer());
  m->server_ = std::make_unique<httplib::Server>();
  m->server_->Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4");
  });
  m->server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  m->port_ = hp.second == 0 ? m->server_->bind_to_any_port(hp.first)
                            : (m->server_->bind_to_port(hp.first, hp.second) ? hp.second : -1);
  if (m->port_ < 0) {
    return absl::UnavailableError(fmt::format("{} {}: cannot listen", setting, listen));
  }
  httplib::Server* server = m->server_.get();
  m->thread_ = std::thread([server] { server->listen_after_bind(); });
  return m;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace nightjar
