#include "obs/push.h"

#include <fmt/format.h>
#include <httplib.h>

#include "util/file_util.h"

namespace nightjar {

absl::Status PushToGateway(const std::string& url, std::string_view job, const std::string& text) {
  if (!url.starts_with("http://")) {
    return absl::InvalidArgumentError(
        fmt::format("metrics.pushgateway '{}': expected http://host:port", url));
  }
  std::string origin = url;
  while (origin.ends_with('/')) origin.pop_back();
  httplib::Client client(origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  const std::string path = fmt::format("/metrics/job/{}", job);
  auto res = client.Post(path, text, "text/plain; version=0.0.4");
  if (!res) {
    return absl::UnavailableError(
        fmt::format("pushgateway {}: {}", origin, httplib::to_string(res.error())));
  }
  if (res->status / 100 != 2) {
    return absl::UnavailableError(fmt::format("pushgateway {} answered {}: {}", origin, res->status,
                                              res->body.substr(0, 200)));
  }
  return absl::OkStatus();
}

absl::Status WriteTextfile(const std::string& path, const std::string& text) {
  return WriteFileAtomic(path, text);
}

}  // namespace nightjar
