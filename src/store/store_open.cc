#include <fmt/format.h>

#include <filesystem>

#include "store/dir_store.h"
#include "store/redis_store.h"
#include "util/status_macros.h"

namespace nightjar {

absl::StatusOr<std::optional<std::string>> LexiconStore::DirPath(const std::string& uri) {
  if (uri.starts_with("redis://")) return std::optional<std::string>();
  std::string path = uri;
  if (path.starts_with("dir:")) {
    path = path.substr(4);
  } else if (path.find("://") != std::string::npos) {
    return absl::InvalidArgumentError(
        fmt::format("store.uri: unsupported scheme in '{}' (expected dir:PATH or redis://)", uri));
  }
  if (path.empty()) return absl::InvalidArgumentError("store.uri: empty path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return std::optional<std::string>(std::move(path));
}

absl::StatusOr<std::unique_ptr<LexiconStore>> LexiconStore::Open(const std::string& uri) {
  NJ_ASSIGN_OR_RETURN(const std::optional<std::string> dir, DirPath(uri));
  if (!dir) {
    NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(uri));
    NJ_ASSIGN_OR_RETURN(auto store, RedisStore::Open(endpoint));
    return std::unique_ptr<LexiconStore>(std::move(store));
  }
  const std::string& path = *dir;
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(fmt::format("store.uri: dir:{} is not a directory", path));
  }
  return std::unique_ptr<LexiconStore>(std::make_unique<DirStore>(path));
}

}  // namespace nightjar
