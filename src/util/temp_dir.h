#ifndef NIGHTJAR_UTIL_TEMP_DIR_H_
#define NIGHTJAR_UTIL_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace nightjar {

// A fresh directory under `parent` ("" = $TMPDIR, or /tmp), removed with everything in it on
// destruction. path() is empty when it could not be made.
class TempDir {
 public:
  TempDir() : TempDir("") {}
  explicit TempDir(const std::string& parent) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        (parent.empty() ? std::string(base && *base ? base : "/tmp") : parent) + "/nightjar-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    path_ = made ? std::string(made) : std::string();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  // Path of `name` inside the directory.
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes `data` to `name` (parents created) and returns its path.
  std::string Write(std::string_view name, std::string_view data) const {
    std::string p = Sub(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary)
        .write(data.data(), static_cast<std::streamsize>(data.size()));
    return p;
  }

 private:
  std::string path_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_TEMP_DIR_H_
