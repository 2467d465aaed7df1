#include "store/s3_part_store.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "util/status_macros.h"
#include "util/uri.h"

namespace nightjar {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  const std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    absl::AsciiStrToLower(&name);
    std::string value(absl::StripAsciiWhitespace(
        absl::string_view(line.data() + colon + 1, line.size() - colon - 1)));
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// The text of every <tag>...</tag> in `xml`, in order (S3's list answers: keys, flags, tokens).
std::vector<std::string> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
    at += open.size();
    const size_t end = xml.find(close, at);
    if (end == std::string_view::npos) break;
    out.emplace_back(xml.substr(at, end - at));
    at = end + close.size();
  }
  return out;
}

// Query values are percent-encoded as SigV4's canonical form wants them (all but unreserved).
std::string Encode(std::string_view v) {
  std::string out;
  for (char c : v) {
    const bool unreserved = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    out += unreserved ? std::string(1, c) : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

// The hex SHA-256 of `body`: S3 wants it in x-amz-content-sha256, and libcurl 7.88 signs the
// payload's hash without sending that header.
std::string Sha256Hex(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(body.data(), body.size(), digest, &n, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

struct Response {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's CURLINFO_RESPONSE_CODE type
  std::string body;
  std::map<std::string, std::string> headers;
};

// An S3-protocol bucket, path-style: ENDPOINT/BUCKET/PREFIX/NAME, every request signed with
// SigV4 by libcurl. One easy handle per request, so any thread may call.
class S3PartStore : public PartStore {
 public:
  S3PartStore(std::string uri, S3Location where) : uri_(std::move(uri)), where_(std::move(where)) {}

  absl::Status Put(std::string_view name, std::string_view bytes) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    NJ_ASSIGN_OR_RETURN(Response r, Call("PUT", ObjectUrl(name), bytes));
    if (r.status != 200) return Failed("PUT", name, r);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view name) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    NJ_ASSIGN_OR_RETURN(Response r, Call("GET", ObjectUrl(name), {}));
    if (r.status == 404) return std::optional<std::string>();
    if (r.status != 200) return Failed("GET", name, r);
    return std::optional<std::string>(std::move(r.body));
  }

  absl::StatusOr<std::optional<absl::Time>> ModifiedAt(std::string_view name) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    NJ_ASSIGN_OR_RETURN(Response r, Call("HEAD", ObjectUrl(name), {}));
    if (r.status == 404) return std::optional<absl::Time>();
    if (r.status != 200) return Failed("HEAD", name, r);
    absl::Time at;
    std::string err;
    if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", r.headers["last-modified"], &at, &err)) {
      return absl::DataLossError(fmt::format("{}: {} has no readable Last-Modified ({})", uri_,
                                             name, r.headers["last-modified"]));
    }
    return std::optional<absl::Time>(at);
  }

  absl::StatusOr<std::vector<std::string>> List(std::string_view prefix) override {
    NJ_RETURN_IF_ERROR(CheckPartPrefix(prefix, /*may_be_empty=*/true));
    std::vector<std::string> out;
    std::string token;
    for (;;) {
      std::string url = fmt::format("{}/{}?list-type=2&prefix={}", where_.endpoint, where_.bucket,
                                    Encode(where_.prefix + std::string(prefix)));
      if (!token.empty()) url += "&continuation-token=" + Encode(token);
      NJ_ASSIGN_OR_RETURN(Response r, Call("GET", url, {}));
      if (r.status != 200) return Failed("LIST", prefix, r);
      for (std::string& key : Elements(r.body, "Key")) {
        out.push_back(key.substr(std::min(key.size(), where_.prefix.size())));
      }
      const auto truncated = Elements(r.body, "IsTruncated");
      const auto next = Elements(r.body, "NextContinuationToken");
      if (truncated.empty() || truncated[0] != "true" || next.empty()) break;
      token = next[0];
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  absl::Status RemoveAll(std::string_view prefix) override {
    NJ_RETURN_IF_ERROR(CheckPartPrefix(prefix, /*may_be_empty=*/false));
    NJ_ASSIGN_OR_RETURN(const std::vector<std::string> names, List(prefix));
    for (const std::string& name : names) {
      NJ_ASSIGN_OR_RETURN(Response r, Call("DELETE", ObjectUrl(name), {}));
      if (r.status != 204 && r.status != 200 && r.status != 404) {
        return Failed("DELETE", name, r);
      }
    }
    return absl::OkStatus();
  }

  const std::string& uri() const override { return uri_; }

 private:
  absl::Status Failed(std::string_view op, std::string_view name, const Response& r) const {
    const auto code = Elements(r.body, "Code");
    return absl::UnavailableError(fmt::format("{} {} in {}: HTTP {}{}", op, name, uri_, r.status,
                                              code.empty() ? "" : " " + code[0]));
  }

  std::string ObjectUrl(std::string_view name) const {
    return fmt::format("{}/{}/{}{}", where_.endpoint, where_.bucket, where_.prefix, name);
  }

  absl::StatusOr<Response> Call(const std::string& method, const std::string& url,
                                std::string_view body) const {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return absl::InternalError("curl_easy_init failed");
    CURL* c = curl.get();
    Response r;
    std::unique_ptr<curl_slist, ListDeleter> headers;
    auto add = [&](const std::string& h) {
      headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    add("Expect:");  // one request, no 100-continue round trip
    add("x-amz-content-sha256: " + Sha256Hex(body));
    if (!where_.session_token.empty()) add("x-amz-security-token: " + where_.session_token);
    const std::string sigv4 = "aws:amz:" + where_.region + ":s3";
    const std::string user = where_.access_key + ":" + where_.secret_key;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERPWD, user.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 600000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    if (method == "PUT") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      add("Content-Type: application/octet-stream");
    } else if (method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
      return absl::UnavailableError(
          fmt::format("{} {}: {}", method, RedactUri(url), curl_easy_strerror(rc)));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  const std::string uri_;
  const S3Location where_;
};

}  // namespace

absl::StatusOr<S3Location> ParseS3Uri(const std::string& uri,
                                      const std::function<const char*(const char*)>& env) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("--parts '{}': {}", uri, why));
  };
  if (!uri.starts_with("s3://")) return bad("not an s3:// URI");
  std::string_view rest = std::string_view(uri).substr(5);
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Location out;
  const size_t slash = rest.find('/');
  out.bucket = std::string(rest.substr(0, slash));
  if (out.bucket.empty()) return bad("no bucket");
  if (slash != std::string_view::npos) out.prefix = std::string(rest.substr(slash + 1));
  if (!out.prefix.empty() && !out.prefix.ends_with('/')) out.prefix += '/';
  if (!out.prefix.empty() && !IsPartName(out.prefix)) return bad("the prefix is not a part name");
  const char* region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
  out.region = region != nullptr ? region : "us-east-1";
  for (absl::string_view kv :
       absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    const size_t eq = kv.find('=');
    const std::string key(kv.substr(0, eq));
    const std::string value(eq == absl::string_view::npos ? "" : kv.substr(eq + 1));
    if (key == "endpoint") {
      out.endpoint = value;
    } else if (key == "region") {
      out.region = value;
    } else {
      return bad(fmt::format("unknown parameter '{}' (endpoint, region)", key));
    }
  }
  if (out.endpoint.empty()) out.endpoint = fmt::format("https://s3.{}.amazonaws.com", out.region);
  if (!out.endpoint.starts_with("http://") && !out.endpoint.starts_with("https://")) {
    return bad("endpoint must be http:// or https://");
  }
  while (out.endpoint.ends_with('/')) out.endpoint.pop_back();
  const char* key = env("AWS_ACCESS_KEY_ID");
  const char* secret = env("AWS_SECRET_ACCESS_KEY");
  if (key == nullptr || secret == nullptr) {
    return bad("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
  }
  out.access_key = key;
  out.secret_key = secret;
  if (const char* token = env("AWS_SESSION_TOKEN")) out.session_token = token;
  return out;
}

absl::StatusOr<std::unique_ptr<PartStore>> OpenS3PartStore(const std::string& uri) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  NJ_ASSIGN_OR_RETURN(S3Location where,
                      ParseS3Uri(uri, [](const char* name) { return std::getenv(name); }));
  return std::unique_ptr<PartStore>(std::make_unique<S3PartStore>(uri, std::move(where)));
}

}  // namespace nightjar
