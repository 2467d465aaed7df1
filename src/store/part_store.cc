#include "store/part_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "util/file_util.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

namespace fs = std::filesystem;

absl::Status BadName(std::string_view name) {
  return absl::InvalidArgumentError(fmt::format(
      "bad part name '{}' (letters, digits, '.', '_', '-' in '/'-separated segments)", name));
}

// A directory on a shared volume: object NAME is the file PATH/NAME, written by
// WriteFileAtomic (a uniquely named temp file beside it, fsync, rename).
class DirPartStore : public PartStore {
 public:
  DirPartStore(std::string uri, fs::path root) : uri_(std::move(uri)), root_(std::move(root)) {}

  absl::Status Put(std::string_view name, std::string_view bytes) override {
    if (!IsPartName(name) || name.ends_with('/')) return BadName(name);
    const fs::path path = root_ / std::string(name);
    NJ_RETURN_IF_ERROR(MakeDirs(path.parent_path().string()));
    return WriteFileAtomic(path.string(), bytes);
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view name) override {
    if (!IsPartName(name) || name.ends_with('/')) return BadName(name);
    absl::StatusOr<std::string> bytes = ReadFile((root_ / std::string(name)).string());
    if (absl::IsNotFound(bytes.status())) return std::optional<std::string>();
    if (!bytes.ok()) return bytes.status();
    return std::optional<std::string>(std::move(bytes).value());
  }

  absl::StatusOr<std::vector<std::string>> List(std::string_view prefix) override {
    if (!prefix.empty() && !IsPartName(prefix)) return BadName(prefix);
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

  absl::Status RemoveAll(std::string_view prefix) override {
    if (prefix.empty() || !IsPartName(prefix)) return BadName(prefix);
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

absl::StatusOr<std::unique_ptr<PartStore>> PartStore::Open(const std::string& uri) {
  if (uri.starts_with("dir:") && uri.size() > 4) {
    const std::string path = uri.substr(4);
    NJ_RETURN_IF_ERROR(MakeDirs(path));
    return std::unique_ptr<PartStore>(std::make_unique<DirPartStore>(uri, fs::path(path)));
  }
  return absl::InvalidArgumentError(
      fmt::format("--parts: '{}' is not a parts URI (this build takes dir:PATH)", uri));
}

}  // namespace nightjar
