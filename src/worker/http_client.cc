#include "worker/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>

#include "absl/strings/ascii.h"

namespace nightjar {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// "Name: value\r\n" lines into pairs; the status line and blank lines are skipped.
size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos && !line.starts_with("HTTP/")) {
    auto* headers = static_cast<HttpHeaders*>(out);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && absl::ascii_isspace(static_cast<unsigned char>(value.front()))) {
      value.remove_prefix(1);
    }
    while (!value.empty() && absl::ascii_isspace(static_cast<unsigned char>(value.back()))) {
      value.remove_suffix(1);
    }
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient(CURL* curl, HttpClientOptions options)
      : curl_(curl), options_(std::move(options)) {}
  ~CurlHttpClient() override { curl_easy_cleanup(curl_); }

  absl::StatusOr<HttpResponse> Post(const std::string& path, const std::string& body,
                                    const HttpHeaders& headers) override {
    HttpResponse response;
    std::unique_ptr<curl_slist, SlistDeleter> list;
    for (const auto& [name, value] : headers) {
      std::string line = name;
      line.append(": ").append(value);
      list.reset(curl_slist_append(list.release(), line.c_str()));
    }
    // No "Expect: 100-continue" round trip before large bodies.
    list.reset(curl_slist_append(list.release(), "Expect:"));
    const std::string url = options_.base_url + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response.headers);
    const CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    if (rc != CURLE_OK) {
      // curl_easy_strerror names the failure only (never the request's headers or body).
      return absl::UnavailableError(fmt::format("{}: {}", Origin(), curl_easy_strerror(rc)));
    }
    long status = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  // scheme://host[:port], without any path or credentials the base URL may hold.
  std::string Origin() const {
    const size_t start = options_.base_url.find("://");
    const size_t end = options_.base_url.find('/', start == std::string::npos ? 0 : start + 3);
    std::string origin = options_.base_url.substr(0, end);
    if (const size_t at = origin.find('@'); at != std::string::npos && start != std::string::npos) {
      origin = origin.substr(0, start + 3) + origin.substr(at + 1);
    }
    return origin;
  }

  CURL* curl_;
  const HttpClientOptions options_;
};

}  // namespace

std::pair<std::string, std::string> SplitHttpUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Open(const HttpClientOptions& options) {
  if (!options.base_url.starts_with("http://") && !options.base_url.starts_with("https://")) {
    return absl::InvalidArgumentError(
        fmt::format("http client: '{}' is not an http:// or https:// URL", options.base_url));
  }
  GlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("http client: curl_easy_init failed");
  HttpClientOptions o = options;
  while (o.base_url.ends_with('/')) o.base_url.pop_back();
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(o.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(o.request_timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM (threads)
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  return std::unique_ptr<HttpClient>(new CurlHttpClient(curl, std::move(o)));
}

}  // namespace nightjar
