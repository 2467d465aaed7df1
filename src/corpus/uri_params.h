#ifndef NIGHTJAR_CORPUS_URI_PARAMS_H_
#define NIGHTJAR_CORPUS_URI_PARAMS_H_

// The query parameters of a database source's URI, shared by the PostgreSQL and MongoDB
// sources: nightjar takes its own and hands the rest to the driver.

#include <fmt/format.h>

#include <charconv>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nightjar {

struct UriParam {
  std::string_view raw;  // "key=value" as written, for handing on to the driver
  std::string_view key;
  std::string value;  // percent-decoded
};

// The URI before its '?', and its parameters in order (empty ones dropped).
std::string_view UriBase(std::string_view uri);
std::vector<UriParam> UriParams(std::string_view uri);

// Offers each parameter of `uri` to `take` (true: nightjar's own, taken out; an error stops)
// and returns the URI with the others, for the driver.
[[nodiscard]] absl::StatusOr<std::string> TakeParams(
    std::string_view uri,
    const std::function<absl::StatusOr<bool>(std::string_view key, const std::string& value)>&
        take);

// The parts of `v` between commas, empty ones dropped.
std::vector<std::string> SplitList(std::string_view v);

// The parts of `v` between `sep`s; empty parts are dropped when `skip_empty`.
std::vector<std::string_view> Split(std::string_view v, char sep, bool skip_empty);

// Parses a number parameter in [lo, hi]; InvalidArgument names "corpus.uri: parameter key=v".
template <typename T>
absl::Status ParseNumberParam(std::string_view key, std::string_view v, T lo, T hi, T* out) {
  T x{};
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end != v.data() + v.size() || x < lo || x > hi) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: parameter {}={} is not a number in [{}, {}]", key, v, lo, hi));
  }
  *out = x;
  return absl::OkStatus();
}

// The paging parameters every database source takes: `batch=` (1..max_batch), `overlap_s=`
// (0..30 days) and `retry_s=` (0..1 day). Returns false when `key` is none of them.
[[nodiscard]] absl::StatusOr<bool> TakePagingParam(std::string_view key, const std::string& v,
                                                   size_t max_batch, size_t* batch,
                                                   int64_t* overlap_s, double* retry_s);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_URI_PARAMS_H_
