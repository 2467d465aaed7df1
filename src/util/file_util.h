#ifndef NIGHTJAR_UTIL_FILE_UTIL_H_
#define NIGHTJAR_UTIL_FILE_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nightjar {

// Writes `data` to `path` durably: write to a temp file beside it, fsync, rename over `path`,
// fsync the directory. Readers see either the old file or the new one, never a partial one.
[[nodiscard]] absl::Status WriteFileAtomic(const std::string& path, std::string_view data);

// Reads a whole file. NotFound when it does not exist.
[[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::string& path);

// fsyncs a file or directory by path.
[[nodiscard]] absl::Status SyncPath(const std::string& path);

// Creates `path` and its parents; OK when it exists.
[[nodiscard]] absl::Status MakeDirs(const std::string& path);

// Turns errno into a Status that names the operation and the path.
absl::Status ErrnoStatus(int err, std::string_view op, std::string_view path);

// An fd-owning RAII handle for an advisory exclusive lock (flock) on `path`.
class FileLock {
 public:
  // Blocks until the lock is held. The lock file is created if missing.
  [[nodiscard]] static absl::StatusOr<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_FILE_UTIL_H_
