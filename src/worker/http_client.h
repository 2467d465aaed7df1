#ifndef NIGHTJAR_WORKER_HTTP_CLIENT_H_
#define NIGHTJAR_WORKER_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nightjar {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// An answer from an HTTP server, whatever its status.
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names as the server sent them
  std::string body;
};

// Every field has a default.
struct HttpClientOptions {
  std::string base_url;                                // http(s)://host[:port][/prefix]
  absl::Duration connect_timeout = absl::Seconds(5);   // to open a connection
  absl::Duration request_timeout = absl::Seconds(60);  // for a whole request, answer included
};

// POSTs to one server over a kept-alive connection (reused across calls, reopened when lost).
// A request that got no answer (refused, reset, timed out) is Unavailable with libcurl's reason;
// any answer, 4xx and 5xx included, is a response. Request headers are never part of an error
// message, so a bearer token in them cannot leak through one. Not thread-safe: one per slot.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // POSTs `body` to base_url + `path` with `headers` added.
  [[nodiscard]] virtual absl::StatusOr<HttpResponse> Post(const std::string& path,
                                                          const std::string& body,
                                                          const HttpHeaders& headers) = 0;

  // A libcurl client. InvalidArgument for a base URL that is not http:// or https://.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpClient>> Open(
      const HttpClientOptions& options);
};

// "http://host:port/a/b" -> {"http://host:port", "/a/b"} (path "/" when there is none): the
// base URL a client opens and the path it posts to.
std::pair<std::string, std::string> SplitHttpUrl(const std::string& url);

}  // namespace nightjar

#endif  // NIGHTJAR_WORKER_HTTP_CLIENT_H_
