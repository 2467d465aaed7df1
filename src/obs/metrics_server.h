#ifndef NIGHTJAR_OBS_METRICS_SERVER_H_
#define NIGHTJAR_OBS_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace nightjar {

// A small HTTP server for a long-running process's Prometheus endpoint: GET /metrics answers
// `render()` (the text exposition format, version 0.0.4) and GET /healthz "ok". It runs on its
// own thread from Start until destroyed. `render` is called on that thread and must be
// thread-safe.
class MetricsServer {
 public:
  // `listen` is host:port (port 0 = any free one); InvalidArgument naming `setting` when it is
  // not, Unavailable when it cannot bind.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& listen, std::string_view setting,
      const std::function<std::string()>& render);
  ~MetricsServer();

  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace nightjar

#endif  // NIGHTJAR_OBS_METRICS_SERVER_H_
