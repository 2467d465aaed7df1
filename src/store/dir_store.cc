#include "store/dir_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>

#include "store/manifest.h"
#include "util/file_util.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

namespace fs = std::filesystem;

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// One lexicon file being written: buffered writes, running checksum.
class LexiconFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<LexiconFileWriter>> Create(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "we");
    if (f == nullptr) return ErrnoStatus(errno, "create", path);
    std::setvbuf(f, nullptr, _IOFBF, kBufferBytes);  // a write call per MB, not per 4 KB
    return std::unique_ptr<LexiconFileWriter>(new LexiconFileWriter(path, f));
  }
  LexiconFileWriter(const LexiconFileWriter&) = delete;
  LexiconFileWriter& operator=(const LexiconFileWriter&) = delete;
  ~LexiconFileWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }
  absl::Status WriteLine(std::string_view line) {
    bytes_ += line.size() + 1;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      return ErrnoStatus(errno, "write", path_);
    }
    return absl::OkStatus();
  }
  absl::Status WriteRecord(std::string_view record) {
    checksum_.Add(record);
    ++records_;
    return WriteLine(record);
  }
  // Flushes what is buffered and asks the kernel to start writing the file out, without waiting:
  // Close's fsync then finds most of it on disk. For a file that is complete or nearly so.
  absl::Status StartWriteback() {
    if (std::fflush(file_) != 0) return ErrnoStatus(errno, "write", path_);
#ifdef __linux__
    // Only a hint: where it is not supported, Close's fsync does all the work.
    (void)::sync_file_range(fileno(file_), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
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
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  std::string checksum() const { return checksum_.Hex(); }

 private:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  LexiconFileWriter(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  std::FILE* file_;
  RecordSetChecksum checksum_;
  uint64_t records_ = 0;
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

class DirVersionBuilder : public VersionBuilder {
 public:
  DirVersionBuilder(std::string root, std::string version, absl::Time now, FileLock lock)
      : root_(std::move(root)),
        version_(std::move(version)),
        created_at_(now),
        building_(fmt::format("{}/versions/.building-{}", root_, version_)),
        lock_(std::move(lock)) {}

  ~DirVersionBuilder() override {
    if (!committed_) {
      writers_.clear();
      std::error_code ec;
      fs::remove_all(building_, ec);
    }
  }

  absl::Status Init() { return MakeDirs(building_); }

  const std::string& version() const override { return version_; }

  absl::Status Append(std::string_view lexicon, std::string_view /*key*/,
                      std::string_view record) override {
    if (sealed_) return absl::FailedPreconditionError("Append after Seal");
    // Records mostly come lexicon after lexicon: the last file written is tried first.
    if (last_ != nullptr && lexicon == last_lexicon_) return last_->WriteRecord(record);
    auto it = writers_.find(lexicon);
    LexiconFileWriter* w = nullptr;
    if (it == writers_.end()) {
      NJ_ASSIGN_OR_RETURN(w, Create(lexicon));
      // A new lexicon begins: the one before is probably complete, so its writeback can start
      // while the next is being written.
      if (last_ != nullptr) NJ_RETURN_IF_ERROR(last_->StartWriteback());
    } else {
      w = it->second.get();
    }
    last_ = w;
    last_lexicon_ = std::string(lexicon);
    return last_->WriteRecord(record);
  }

  absl::Status Declare(std::string_view lexicon) override {
    if (sealed_) return absl::FailedPreconditionError("Declare after Seal");
    if (writers_.contains(lexicon)) return absl::OkStatus();
    return Create(lexicon).status();
  }

  // Opens the file of a new lexicon and writes its header.
  absl::StatusOr<LexiconFileWriter*> Create(std::string_view lexicon) {
    if (!IsLexiconName(lexicon)) {
      return absl::InvalidArgumentError(fmt::format("bad lexicon name '{}'", lexicon));
    }
    NJ_ASSIGN_OR_RETURN(auto w,
                        LexiconFileWriter::Create(fmt::format("{}/{}.jsonl", building_, lexicon)));
    NJ_RETURN_IF_ERROR(w->WriteLine(LexiconHeader(lexicon, version_)));
    return writers_.emplace(std::string(lexicon), std::move(w)).first->second.get();
  }

  absl::StatusOr<std::vector<LexiconFileInfo>> Seal() override {
    std::vector<LexiconFileInfo> out;
    for (auto& [name, w] : writers_) {
      NJ_RETURN_IF_ERROR(w->Close());
      out.push_back(LexiconFileInfo{name, w->records(), w->bytes(), w->checksum()});
    }
    sealed_ = true;
    return out;
  }

  absl::Status Commit(const Manifest& manifest, VersionState state,
                      std::string_view note) override {
    if (!sealed_) return absl::FailedPreconditionError("Commit before Seal");
    NJ_ASSIGN_OR_RETURN(const VersionStatus status,
                        CommittedStatus(version_, created_at_, state, note));
    NJ_RETURN_IF_ERROR(WriteFileAtomic(building_ + "/MANIFEST.json", manifest.ToJson()));
    NJ_RETURN_IF_ERROR(WriteFileAtomic(building_ + "/STATUS.json", VersionStatusJson(status)));
    NJ_RETURN_IF_ERROR(SyncPath(building_));
    std::string final_dir = fmt::format("{}/versions/{}", root_, version_);
    if (::rename(building_.c_str(), final_dir.c_str()) != 0) {
      return ErrnoStatus(errno, "rename", building_);
    }
    committed_ = true;
    return SyncPath(root_ + "/versions");
  }

 private:
  std::string root_;
  std::string version_;
  absl::Time created_at_;
  std::string building_;
  FileLock lock_;
  std::map<std::string, std::unique_ptr<LexiconFileWriter>, std::less<>> writers_;
  LexiconFileWriter* last_ = nullptr;  // the writer of the last Append, in writers_
  std::string last_lexicon_;
  bool sealed_ = false;
  bool committed_ = false;
};

// Checks a parsed file's magic and format version.
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

// inotify on the store root: CURRENT is replaced by rename, which shows as IN_MOVED_TO.
class DirWatcher : public VersionWatcher {
 public:
  explicit DirWatcher(int fd) : fd_(fd) {}
  ~DirWatcher() override { ::close(fd_); }
  absl::StatusOr<bool> Wait(absl::Duration timeout) override {
    pollfd p{fd_, POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
    int n = ::poll(&p, 1, ms);
    if (n < 0) {
      if (errno == EINTR) return false;
      return ErrnoStatus(errno, "poll", "inotify");
    }
    if (n == 0) return false;
    alignas(inotify_event) char buf[4096];
    bool changed = false;
    ssize_t len;
    while ((len = ::read(fd_, buf, sizeof buf)) > 0) {
      for (char* p2 = buf; p2 < buf + len;) {
        auto* ev = reinterpret_cast<inotify_event*>(p2);
        if (ev->len > 0 && std::string_view(ev->name) == "CURRENT") changed = true;
        p2 += sizeof(inotify_event) + ev->len;
      }
    }
    return changed;
  }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<VersionBuilder>> DirStore::Begin(absl::Time now) {
  NJ_RETURN_IF_ERROR(MakeDirs(root_ + "/versions"));
  NJ_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(root_ + "/LOCK"));
  // With the lock held no builder is live: whatever is still building crashed. With the
  // activation lock held too, no Delete is live: a hidden version still there is one a crashed
  // Delete left half-removed.
  NJ_ASSIGN_OR_RETURN(FileLock activate_lock, FileLock::Acquire(root_ + "/ACTIVATE.lock"));
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(root_ + "/versions", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(".building-") || name.starts_with(".deleting-")) {
      std::error_code remove_ec;
      fs::remove_all(it->path(), remove_ec);
    } else if (IsVersionName(name)) {
      names.push_back(name);
    }
  }
  std::string version = NextVersionName(now, names);
  auto builder = std::make_unique<DirVersionBuilder>(root_, version, now, std::move(lock));
  NJ_RETURN_IF_ERROR(builder->Init());
  return builder;
}

absl::StatusOr<std::pair<std::string, std::string>> DirStore::ReadPointer() {
  auto text = ReadFile(root_ + "/CURRENT");
  if (absl::IsNotFound(text.status())) return std::pair<std::string, std::string>();
  if (!text.ok()) return text.status();
  std::pair<std::string, std::string> out;
  size_t nl = text->find('\n');
  out.first = text->substr(0, nl);
  if (nl != std::string::npos) {
    std::string rest = text->substr(nl + 1);
    out.second = rest.substr(0, rest.find('\n'));
  }
  if (!IsVersionName(out.first) || (!out.second.empty() && !IsVersionName(out.second))) {
    return absl::DataLossError(fmt::format("{}/CURRENT holds no version name", root_));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> DirStore::Current() {
  NJ_ASSIGN_OR_RETURN(auto p, ReadPointer());
  if (p.first.empty()) return std::optional<std::string>();
  return std::optional<std::string>(p.first);
}

absl::StatusOr<std::optional<std::string>> DirStore::Previous() {
  NJ_ASSIGN_OR_RETURN(auto p, ReadPointer());
  if (p.second.empty()) return std::optional<std::string>();
  return std::optional<std::string>(p.second);
}

absl::StatusOr<VersionStatus> DirStore::ReadStatus(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  auto text = ReadFile(fmt::format("{}/versions/{}/STATUS.json", root_, version));
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(fmt::format("version {} not found in {}", version, root_));
  }
  if (!text.ok()) return text.status();
  return ParseVersionStatus(version, *text);
}

absl::StatusOr<std::vector<VersionStatus>> DirStore::List() {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(root_ + "/versions", ec);
  if (ec == std::errc::no_such_file_or_directory) return std::vector<VersionStatus>();
  if (ec) return absl::InternalError(fmt::format("list {}/versions: {}", root_, ec.message()));
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsVersionName(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end(), VersionNameLess);
  std::vector<VersionStatus> out;
  for (const auto& name : names) {
    auto s = ReadStatus(name);
    if (absl::IsNotFound(s.status())) continue;  // deleted meanwhile
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  return out;
}

absl::StatusOr<Manifest> DirStore::ReadManifest(const std::string& version) {
  if (!IsVersionName(version)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a version name", version));
  }
  std::string path = fmt::format("{}/versions/{}/MANIFEST.json", root_, version);
  auto text = ReadFile(path);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(fmt::format("version {} not found in {}", version, root_));
  }
  if (!text.ok()) return text.status();
  return Manifest::Parse(*text, path);
}

absl::Status DirStore::ScanLexicon(const std::string& version, std::string_view lexicon,
                                   const std::function<void(std::string_view record)>& fn) {
  NJ_ASSIGN_OR_RETURN(const Manifest manifest, ReadManifest(version));
  const LexiconFileInfo* info = manifest.Lexicon(lexicon);
  if (info == nullptr) {
    return absl::NotFoundError(fmt::format("version {} has no lexicon '{}'", version, lexicon));
  }
  const std::string& expected = info->checksum;
  std::string path = fmt::format("{}/versions/{}/{}.jsonl", root_, version, lexicon);
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return ErrnoStatus(errno, "open", path);
  FilePtr closer(f, &std::fclose);

  RecordSetChecksum sum;
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
    sum.Add(raw);
    fn(raw);
  }
  if (std::ferror(f)) return ErrnoStatus(errno, "read", path);
  if (header) return absl::DataLossError(path + ": empty lexicon file (no header)");
  if (sum.Hex() != expected) {
    return absl::DataLossError(
        fmt::format("{}: checksum {} does not match manifest {}", path, sum.Hex(), expected));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditEvent> DirStore::Activate(const ActivateRequest& req) {
  NJ_RETURN_IF_ERROR(MakeDirs(root_));
  NJ_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(root_ + "/ACTIVATE.lock"));
  NJ_ASSIGN_OR_RETURN(auto pointer, ReadPointer());
  std::string target = req.version;
  if (target.empty()) {
    if (pointer.second.empty()) {
      return absl::FailedPreconditionError(
          fmt::format("{} has no previous version to roll back to", root_));
    }
    target = pointer.second;
  }
  NJ_ASSIGN_OR_RETURN(VersionStatus status, ReadStatus(target));
  if (status.state == VersionState::kRejected && !req.force) {
    return absl::FailedPreconditionError(fmt::format(
        "version {} was rejected ({}); activate it with --force to override", target, status.note));
  }
  AuditEvent ev{req.now, req.action, target, pointer.first, req.actor};
  if (target == pointer.first) return ev;  // already current: nothing to switch
  status.state = VersionState::kActive;
  status.activated_at = req.now;
  status.activated_by = req.actor;
  if (req.force && !status.note.empty()) status.note = "forced: " + status.note;
  NJ_RETURN_IF_ERROR(WriteFileAtomic(fmt::format("{}/versions/{}/STATUS.json", root_, target),
                                     VersionStatusJson(status)));
  // The switch: one rename. Readers see the old pointer or the new one.
  NJ_RETURN_IF_ERROR(
      WriteFileAtomic(root_ + "/CURRENT", fmt::format("{}\n{}\n", target, pointer.first)));
  if (!pointer.first.empty()) {
    auto old = ReadStatus(pointer.first);
    if (old.ok()) {
      old->state = VersionState::kRetired;
      NJ_RETURN_IF_ERROR(
          WriteFileAtomic(fmt::format("{}/versions/{}/STATUS.json", root_, pointer.first),
                          VersionStatusJson(*old)));
    }
  }
  std::string line = AuditEventJson(ev) + "\n";
  int fd =
      ::open((root_ + "/AUDIT.jsonl").c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "open", root_ + "/AUDIT.jsonl");
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return ErrnoStatus(err, "append", root_ + "/AUDIT.jsonl");
  return ev;
}

absl::Status DirStore::Delete(const std::string& version) {
  NJ_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(root_ + "/ACTIVATE.lock"));
  NJ_ASSIGN_OR_RETURN(auto pointer, ReadPointer());
  if (version == pointer.first || version == pointer.second) {
    return absl::FailedPreconditionError(
        fmt::format("version {} is the current version or the rollback target", version));
  }
  NJ_RETURN_IF_ERROR(ReadStatus(version).status());
  // Hide it first (a rename), then remove the files.
  std::string dir = fmt::format("{}/versions/{}", root_, version);
  std::string doomed = fmt::format("{}/versions/.deleting-{}", root_, version);
  if (::rename(dir.c_str(), doomed.c_str()) != 0) return ErrnoStatus(errno, "rename", dir);
  std::error_code ec;
  fs::remove_all(doomed, ec);
  if (ec) return absl::InternalError(fmt::format("remove {}: {}", doomed, ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AuditEvent>> DirStore::Audit(size_t limit) {
  auto text = ReadFile(root_ + "/AUDIT.jsonl");
  if (absl::IsNotFound(text.status())) return std::vector<AuditEvent>();
  if (!text.ok()) return text.status();
  std::vector<AuditEvent> out;
  std::string_view rest = *text;
  while (!rest.empty() && out.size() < limit) {
    if (rest.back() == '\n') rest.remove_suffix(1);
    size_t nl = rest.rfind('\n');
    std::string_view line = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
    NJ_ASSIGN_OR_RETURN(auto ev, ParseAuditEvent(line));
    out.push_back(std::move(ev));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(0, nl + 1);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<VersionWatcher>> DirStore::Watch() {
  NJ_RETURN_IF_ERROR(MakeDirs(root_));
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "inotify_init1", root_);
  if (::inotify_add_watch(fd, root_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "inotify_add_watch", root_);
  }
  return std::unique_ptr<VersionWatcher>(std::make_unique<DirWatcher>(fd));
}

}  // namespace nightjar
