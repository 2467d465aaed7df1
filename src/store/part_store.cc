#include "store/part_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <system_error>

#include "store/s3_part_store.h"
#include "util/file_util.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

namespace fs = std::filesystem;

// A directory on a shared volume: object NAME is the file PATH/NAME, written by
// WriteFileAtomic (a uniquely named temp file beside it, fsync, rename).
class DirPartStore : public PartStore {
 public:
  DirPartStore(std::string uri, fs::path root) : uri_(std::move(uri)), root_(std::move(root)) {}

  absl::Status Put(std::string_view name, std::string_view bytes) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    const fs::path path = root_ / std::string(name);
    NJ_RETURN_IF_ERROR(MakeDirs(path.parent_path().string()));
    return WriteFileAtomic(path.string(), bytes);
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view name) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    absl::StatusOr<std::string> bytes = ReadFile((root_ / std::string(name)).string());
    if (absl::IsNotFound(bytes.status())) return std::optional<std::string>();
    if (!bytes.ok()) return bytes.status();
    return std::optional<std::string>(std::move(bytes).value());
  }

  absl::StatusOr<std::vector<std::string>> List(std::string_view prefix) override {
    NJ_RETURN_IF_ERROR(CheckPartPrefix(prefix, /*may_be_empty=*/true));
    std::vector<std::string> out;
    const fs::path dir = root_ / std::string(prefix);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string rel = fs::relative(it->path(), root_, ec).generic_string();
      if (rel.find(".tmp.") != std::string::npos) continue;  // a write under way, or abandoned
      out.push_back(std::move(rel));
    }
    if (ec) return ErrnoStatus(ec.value(), "list", dir.string());
    std::sort(out.begin(), out.end());
    return out;
  }

  absl::StatusOr<std::optional<absl::Time>> ModifiedAt(std::string_view name) override {
    NJ_RETURN_IF_ERROR(CheckPartName(name));
    struct stat st {};
    const std::string path = (root_ / std::string(name)).string();
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<absl::Time>();
      return ErrnoStatus(errno, "stat", path);
    }
    return std::optional<absl::Time>(absl::TimeFromTimespec(st.st_mtim));
  }

  absl::Status RemoveAll(std::string_view prefix) override {
    NJ_RETURN_IF_ERROR(CheckPartPrefix(prefix, /*may_be_empty=*/false));
    std::error_code ec;
    fs::remove_all(root_ / std::string(prefix), ec);
    if (ec) return ErrnoStatus(ec.value(), "remove", (root_ / std::string(prefix)).string());
    return absl::OkStatus();
  }

  const std::string& uri() const override { return uri_; }

 private:
  const std::string uri_;
  const fs::path root_;
};

}  // namespace

bool IsPartName(std::string_view name) {
  if (name.empty() || name.front() == '/') return false;
  if (name.ends_with('/')) name.remove_suffix(1);
  size_t start = 0;
  while (start <= name.size()) {
    const size_t slash = std::min(name.find('/', start), name.size());
    const std::string_view segment = name.substr(start, slash - start);
    if (segment.empty() || segment.find_first_not_of('.') == std::string_view::npos) return false;
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

absl::Status CheckPartName(std::string_view name) {
  if (IsPartName(name) && !name.ends_with('/')) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "bad part name '{}' (letters, digits, '.', '_', '-' in '/'-separated segments)", name));
}

absl::Status CheckPartPrefix(std::string_view prefix, bool may_be_empty) {
  if ((prefix.empty() && may_be_empty) || IsPartName(prefix)) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "bad part prefix '{}' (letters, digits, '.', '_', '-' in '/'-separated segments)", prefix));
}

absl::StatusOr<std::vector<std::string>> PruneRuns(PartStore& parts, absl::Time now,
                                                   absl::Duration max_age, std::string_view keep) {
  NJ_ASSIGN_OR_RETURN(const std::vector<std::string> names, parts.List("runs/"));
  std::map<std::string, absl::Time> newest;  // run id -> its newest object's time
  for (const std::string& name : names) {
    const size_t end = name.find('/', 5);
    if (end == std::string::npos) continue;
    const std::string run = name.substr(5, end - 5);
    NJ_ASSIGN_OR_RETURN(const std::optional<absl::Time> at, parts.ModifiedAt(name));
    if (!at) continue;  // removed meanwhile
    auto [it, fresh] = newest.try_emplace(run, *at);
    if (!fresh) it->second = std::max(it->second, *at);
  }
  std::vector<std::string> removed;
  for (const auto& [run, at] : newest) {
    if (run == keep || now - at <= max_age) continue;
    NJ_RETURN_IF_ERROR(parts.RemoveAll("runs/" + run + "/"));
    removed.push_back(run);
  }
  return removed;
}

absl::StatusOr<std::unique_ptr<PartStore>> PartStore::Open(const std::string& uri) {
  if (uri.starts_with("dir:") && uri.size() > 4) {
    const std::string path = uri.substr(4);
    NJ_RETURN_IF_ERROR(MakeDirs(path));
    return std::unique_ptr<PartStore>(std::make_unique<DirPartStore>(uri, fs::path(path)));
  }
  if (uri.starts_with("s3://")) return OpenS3PartStore(uri);
  return absl::InvalidArgumentError(
      fmt::format("--parts: '{}' is not a parts URI (dir:PATH or s3://BUCKET/PREFIX)", uri));
}

}  // namespace nightjar
