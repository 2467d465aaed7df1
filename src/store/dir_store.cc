#include "store/dir_store.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>

#include "util/checksum.h"
#include "util/file_util.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

namespace fs = std::filesystem;

// One lexicon file being written: buffered writes, running checksum.
class LexiconFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<LexiconFileWriter>> Create(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "we");
    if (f == nullptr) return ErrnoStatus(errno, "create", path);
    return std::unique_ptr<LexiconFileWriter>(new LexiconFileWriter(path, f));
  }
  LexiconFileWriter(const LexiconFileWriter&) = delete;
  LexiconFileWriter& operator=(const LexiconFileWriter&) = delete;
  ~LexiconFileWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }
  absl::Status WriteLine(std::string_view line) {
    checksum_.Update(line);
    checksum_.Update("\n");
    bytes_ += line.size() + 1;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      return ErrnoStatus(errno, "write", path_);
    }
    return absl::OkStatus();
  }
  // Flushes, fsyncs and closes.
  absl::Status Close() {
    std::FILE* f = std::exchange(file_, nullptr);
    if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0) {
      int err = errno;
      std::fclose(f);
      return ErrnoStatus(err, "flush", path_);
    }
    if (std::fclose(f) != 0) return ErrnoStatus(errno, "close", path_);
    return absl::OkStatus();
  }
  uint64_t records = 0;
  uint64_t bytes() const { return bytes_; }
  std::string checksum() const { return checksum_.HexDigest(); }

 private:
  LexiconFileWriter(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  std::FILE* file_;
  Checksum checksum_;
  uint64_t bytes_ = 0;
};

std::string LexiconHeader(std::string_view lexicon, std::string_view version) {
  JsonWriter w;
  w.BeginObject();
  w.Key("format").String(kLexiconMagic);
  w.Key("format_version").Int(kFormatVersion);
  w.Key("lexicon").String(lexicon);
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

bool IsLexiconName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

class DirVersionBuilder : public VersionBuilder {
 public:
  DirVersionBuilder(std::string root, std::string version, FileLock lock)
      : root_(std::move(root)),
        version_(std::move(version)),
        building_(fmt::format("{}/versions/.building-{}", root_, version_)),
        lock_(std::move(lock)) {}

  ~DirVersionBuilder() override {
    if (!published_) {
      writers_.clear();
      std::error_code ec;
      fs::remove_all(building_, ec);
    }
  }

  absl::Status Init() {
    std::error_code ec;
    fs::remove_all(building_, ec);  // a crashed earlier run may have left it
    return MakeDirs(building_);
  }

  const std::string& version() const override { return version_; }

  absl::Status Append(std::string_view lexicon, std::string_view record) override {
    if (sealed_) return absl::FailedPreconditionError("Append after Seal");
    auto it = writers_.find(lexicon);
    if (it == writers_.end()) {
      if (!IsLexiconName(lexicon)) {
        return absl::InvalidArgumentError(fmt::format("bad lexicon name '{}'", lexicon));
      }
      NJ_ASSIGN_OR_RETURN(
          auto w, LexiconFileWriter::Create(fmt::format("{}/{}.jsonl", building_, lexicon)));
      NJ_RETURN_IF_ERROR(w->WriteLine(LexiconHeader(lexicon, version_)));
      it = writers_.emplace(std::string(lexicon), std::move(w)).first;
    }
    ++it->second->records;
    return it->second->WriteLine(record);
  }

  absl::StatusOr<std::vector<LexiconFileInfo>> Seal() override {
    std::vector<LexiconFileInfo> out;
    for (auto& [name, w] : writers_) {
      NJ_RETURN_IF_ERROR(w->Close());
      out.push_back(LexiconFileInfo{name, w->records, w->bytes(), w->checksum()});
    }
    sealed_ = true;
    return out;
  }

  absl::Status Publish(std::string_view manifest_json) override {
    if (!sealed_) return absl::FailedPreconditionError("Publish before Seal");
    NJ_RETURN_IF_ERROR(WriteFileAtomic(building_ + "/MANIFEST.json", manifest_json));
    NJ_RETURN_IF_ERROR(SyncPath(building_));
    std::string final_dir = fmt::format("{}/versions/{}", root_, version_);
    if (::rename(building_.c_str(), final_dir.c_str()) != 0) {
      return ErrnoStatus(errno, "rename", building_);
    }
    published_ = true;
    NJ_RETURN_IF_ERROR(SyncPath(root_ + "/versions"));
    return WriteFileAtomic(root_ + "/CURRENT", version_ + "\n");
  }

 private:
  std::string root_;
  std::string version_;
  std::string building_;
  FileLock lock_;
  std::map<std::string, std::unique_ptr<LexiconFileWriter>, std::less<>> writers_;
  bool sealed_ = false;
  bool published_ = false;
};

// Parses a manifest and checks its magic and format version.
absl::Status CheckFormat(simdjson::dom::element doc, std::string_view magic,
                         const std::string& what) {
  std::string_view format;
  int64_t format_version = 0;
  if (doc["format"].get(format) || format != magic) {
    return absl::DataLossError(fmt::format("{}: not a {} file", what, magic));
  }
  if (doc["format_version"].get(format_version) || format_version != kFormatVersion) {
    return absl::FailedPreconditionError(
        fmt::format("{}: format_version {} is not supported (this build reads {})", what,
                    format_version, kFormatVersion));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<VersionBuilder>> DirStore::Begin(absl::Time now) {
  NJ_RETURN_IF_ERROR(MakeDirs(root_ + "/versions"));
  NJ_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(root_ + "/LOCK"));
  NJ_ASSIGN_OR_RETURN(auto existing, List());
  std::string version = NextVersionName(now, existing);
  auto builder = std::make_unique<DirVersionBuilder>(root_, version, std::move(lock));
  NJ_RETURN_IF_ERROR(builder->Init());
  return builder;
}

absl::StatusOr<std::optional<std::string>> DirStore::Current() {
  auto text = ReadFile(root_ + "/CURRENT");
  if (absl::IsNotFound(text.status())) return std::optional<std::string>();
  if (!text.ok()) return text.status();
  std::string v = *text;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  if (!IsVersionName(v)) {
    return absl::DataLossError(fmt::format("{}/CURRENT holds no version name", root_));
  }
  return std::optional<std::string>(v);
}

absl::StatusOr<std::vector<std::string>> DirStore::List() {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(root_ + "/versions", ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  if (ec) return absl::InternalError(fmt::format("list {}/versions: {}", root_, ec.message()));
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsVersionName(name) && fs::exists(it->path() / "MANIFEST.json")) out.push_back(name);
  }
  // Names sort by date; same-day suffixes by number.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    auto key = [](const std::string& v) {
      int n = v.size() > 11 ? std::stoi(v.substr(12)) : 1;
      return std::make_pair(v.substr(0, 11), n);
    };
    return key(a) < key(b);
  });
  return out;
}

absl::StatusOr<std::string> DirStore::ReadManifest(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  std::string path = fmt::format("{}/versions/{}/MANIFEST.json", root_, version);
  auto text = ReadFile(path);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(fmt::format("version {} not found in {}", version, root_));
  }
  if (!text.ok()) return text.status();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*text).get(doc)) return absl::DataLossError(path + ": not valid JSON");
  NJ_RETURN_IF_ERROR(CheckFormat(doc, kManifestMagic, path));
  return text;
}

absl::Status DirStore::ScanLexicon(const std::string& version, std::string_view lexicon,
                                   const std::function<void(std::string_view record)>& fn) {
  NJ_ASSIGN_OR_RETURN(std::string manifest_text, ReadManifest(version));
  simdjson::dom::parser mparser;
  simdjson::dom::element manifest = mparser.parse(manifest_text).value_unsafe();
  std::string_view expected;
  std::string key(lexicon);
  if (manifest["lexicons"][key]["checksum"].get(expected)) {
    return absl::NotFoundError(fmt::format("version {} has no lexicon '{}'", version, lexicon));
  }
  std::string path = fmt::format("{}/versions/{}/{}.jsonl", root_, version, lexicon);
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return ErrnoStatus(errno, "open", path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);

  Checksum sum;
  simdjson::dom::parser parser;
  bool header = true;
  char* buf = nullptr;  // grown by getline, freed by the guard
  size_t cap = 0;
  struct FreeGuard {
    char*& p;
    ~FreeGuard() { std::free(p); }  // NOLINT(cppcoreguidelines-no-malloc): getline's buffer
  } guard{buf};
  ssize_t n;
  while ((n = ::getline(&buf, &cap, f)) > 0) {
    std::string_view raw(buf, static_cast<size_t>(n));
    sum.Update(raw);
    if (raw.back() == '\n') raw.remove_suffix(1);
    if (header) {
      simdjson::dom::element h;
      if (parser.parse(raw.data(), raw.size()).get(h)) {
        return absl::DataLossError(path + ": header is not valid JSON");
      }
      NJ_RETURN_IF_ERROR(CheckFormat(h, kLexiconMagic, path));
      header = false;
      continue;
    }
    fn(raw);
  }
  if (std::ferror(f)) return ErrnoStatus(errno, "read", path);
  if (header) return absl::DataLossError(path + ": empty lexicon file (no header)");
  if (sum.HexDigest() != expected) {
    return absl::DataLossError(
        fmt::format("{}: checksum {} does not match manifest {}", path, sum.HexDigest(), expected));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LexiconStore>> LexiconStore::Open(const std::string& uri) {
  std::string path = uri;
  if (path.starts_with("dir:")) {
    path = path.substr(4);
  } else if (path.find("://") != std::string::npos) {
    return absl::InvalidArgumentError(
        fmt::format("store.uri: unsupported scheme in '{}' (this build writes dir:PATH)", uri));
  }
  if (path.empty()) return absl::InvalidArgumentError("store.uri: empty path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return std::make_unique<DirStore>(path);
}

}  // namespace nightjar
