#ifndef NIGHTJAR_STORE_S3_PART_STORE_H_
#define NIGHTJAR_STORE_S3_PART_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/part_store.h"

namespace nightjar {

// Where "s3://BUCKET[/PREFIX][?endpoint=URL&region=R]" puts parts, with the credentials of the
// standard AWS environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN; AWS_REGION or AWS_DEFAULT_REGION, else us-east-1). Without an endpoint,
// AWS's regional one.
struct S3Location {
  std::string endpoint;  // "http(s)://host[:port]", no trailing slash
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
  std::string region;
  std::string access_key, secret_key, session_token;
};

// InvalidArgument naming the URI and the problem (a missing bucket, credential or an unknown
// parameter). `env` reads an environment variable (nullptr when unset).
[[nodiscard]] absl::StatusOr<S3Location> ParseS3Uri(
    const std::string& uri, const std::function<const char*(const char*)>& env);

// A PartStore on an S3-protocol server, path-style (ENDPOINT/BUCKET/PREFIX/NAME), each request
// signed by libcurl's SigV4 (CURLOPT_AWS_SIGV4), no SDK. A part is one PUT, which S3 applies
// whole; idempotence rests on that alone (no conditional puts). ModifiedAt is the object's
// Last-Modified. Errors of the server are Unavailable, naming the operation, the part and the
// HTTP status and S3 error code.
[[nodiscard]] absl::StatusOr<std::unique_ptr<PartStore>> OpenS3PartStore(const std::string& uri);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_S3_PART_STORE_H_
