#include "corpus/jsonl_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/str_split.h"
#include "corpus/file_list.h"
#include "corpus/jsonl_parser.h"
#include "util/checksum.h"
#include "util/status_macros.h"

namespace nightjar {

// Parsers are costly to warm up (their buffers grow to the largest record), so batches borrow
// them from a pool shared with the source instead of building one each.
class JsonlParserPool {
 public:
  explicit JsonlParserPool(const RecordSchema& schema) : schema_(schema) {}
  std::unique_ptr<JsonlParser> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<JsonlParser>(schema_);
    auto p = std::move(free_.back());
    free_.pop_back();
    return p;
  }
  void Give(std::unique_ptr<JsonlParser> p) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(p));
  }

 private:
  RecordSchema schema_;
  std::mutex mu_;
  std::vector<std::unique_ptr<JsonlParser>> free_;
};

namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
constexpr size_t kQuarantinePrefix = 4096;  // raw bytes kept for a line too long to buffer

// Line-aligned records of one file: [data, data + size) followed by kPadding spare bytes.
class JsonlBatch : public DocumentBatch {
 public:
  JsonlBatch(PooledBuffer data, size_t size, std::shared_ptr<const std::string> path,
             uint64_t first_line, std::shared_ptr<JsonlParserPool> parsers,
             std::shared_ptr<BufferPool> buffers)
      : data_(std::move(data)),
        size_(size),
        path_(std::move(path)),
        first_line_(first_line),
        parsers_(std::move(parsers)),
        buffers_(std::move(buffers)) {}
  ~JsonlBatch() override { buffers_->Give(std::move(data_)); }

  void ForEach(const std::function<void(const Document&)>& fn, RejectSink& rejects) override {
    std::unique_ptr<JsonlParser> parser = parsers_->Take();
    const char* p = data_.data.get();
    const char* end = p + size_;
    uint64_t line_no = first_line_;
    Document doc;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* line_end = nl ? nl : end;
      std::string_view line(p, static_cast<size_t>(line_end - p));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos &&
          parser->Parse(line, *path_, line_no, rejects, &doc)) {
        fn(doc);
      }
      ++line_no;
      p = line_end + 1;
    }
    parsers_->Give(std::move(parser));
  }
  uint64_t bytes() const override { return size_; }

 private:
  PooledBuffer data_;
  size_t size_;
  std::shared_ptr<const std::string> path_;
  uint64_t first_line_;
  std::shared_ptr<JsonlParserPool> parsers_;
  std::shared_ptr<BufferPool> buffers_;
};

}  // namespace

JsonlSource::JsonlSource(std::vector<std::string> files, const SourceOptions& options,
                         RejectSink* rejects)
    : files_(std::move(files)),
      options_(options),
      rejects_(rejects),
      parsers_(std::make_shared<JsonlParserPool>(options.schema)),
      buffers_(std::make_shared<BufferPool>()) {
  for (const auto& f : files_) {
    std::error_code ec;
    auto size = std::filesystem::file_size(f, ec);
    if (!ec) bytes_total_ += size;
  }
}

JsonlSource::~JsonlSource() = default;

void JsonlSource::RejectFile(RejectReason reason, const std::string& detail, uint64_t line) {
  rejects_->Add(Reject{current_path_ ? std::string_view(*current_path_) : std::string_view(),
                       line,
                       reason,
                       detail,
                       {}});
}

bool JsonlSource::OpenNextFile() {
  while (next_file_ < files_.size()) {
    const std::string& path = files_[next_file_++];
    current_path_ = std::make_shared<const std::string>(path);
    carry_.clear();
    next_line_ = 1;
    file_bytes_ = 0;
    skipping_long_line_ = false;
    file_failed_ = false;
    current_cursor_.reset();
    if (options_.resume && SkipUnchanged(path)) continue;
    auto reader = ByteReader::Open(path);
    if (!reader.ok()) {
      RejectFile(RejectReason::kUnreadableFile, std::string(reader.status().message()), 0);
      damaged_.push_back(path);
      continue;
    }
    reader_ = std::move(reader).value();
    return true;
  }
  return false;
}

void JsonlSource::FinishFile() {
  if (file_bytes_ == 0 && !file_failed_) {
    RejectFile(RejectReason::kEmptyFile, "file has no bytes", 0);
  }
  finished_files_bytes_ += reader_->file_bytes_consumed();
  bytes_read_.store(finished_files_bytes_);
  reader_.reset();
  // A file read to its end is skipped next time; a damaged one is read again.
  if (current_cursor_ && !file_failed_) finished_cursors_.push_back(std::move(*current_cursor_));
  current_cursor_.reset();
}

std::vector<SourceCursor> JsonlSource::TakeFinishedCursors() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(finished_cursors_, {});
}

uint64_t JsonlSource::skipped_inputs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return skipped_;
}

namespace {

// The leading "size=N mtime=NS" of a file's cursor, from a stat.
absl::StatusOr<std::string> StatPart(const std::string& path,
                                     std::filesystem::file_time_type* mtime) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(fmt::format("{}: {}", path, ec.message()));
  *mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return absl::NotFoundError(fmt::format("{}: {}", path, ec.message()));
  return fmt::format("size={} mtime={}", size, mtime->time_since_epoch().count());
}

// A cursor's space-separated field that starts with `prefix` ("" when it has none).
std::string_view Field(std::string_view cursor, std::string_view prefix) {
  for (absl::string_view f : absl::StrSplit(absl::string_view(cursor.data(), cursor.size()), ' ')) {
    const std::string_view field(f.data(), f.size());
    if (field.starts_with(prefix)) return field;
  }
  return {};
}

}  // namespace

absl::StatusOr<SourceCursor> JsonlSource::FileCursor(const std::string& path) {
  std::filesystem::file_time_type mtime;
  NJ_ASSIGN_OR_RETURN(std::string stat, StatPart(path, &mtime));
  // A file written in the last seconds may be written again within the same clock tick
  // (file times advance by the kernel's tick, not by nanoseconds), keeping its size and
  // mtime: its cursor says so, and a stat never settles it ("racily clean", as git calls it).
  if (std::filesystem::file_time_type::clock::now() - mtime < std::chrono::seconds(2)) {
    stat += " racy";
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(fmt::format("{}: cannot be read", path));
  Checksum sum;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    sum.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return absl::UnavailableError(fmt::format("{}: read failed", path));
  return SourceCursor{"jsonl:" + path, fmt::format("{} {}", stat, sum.HexDigest()), path};
}

bool JsonlSource::UnchangedByStat(const std::string& path, std::string_view held, bool verify) {
  if (verify || !Field(held, "racy").empty()) return false;
  std::filesystem::file_time_type mtime;
  absl::StatusOr<std::string> stat = StatPart(path, &mtime);
  return stat.ok() && held.starts_with(*stat + " xxh3:");
}

bool JsonlSource::SameContents(std::string_view a, std::string_view b) {
  const std::string_view size = Field(a, "size="), sum = Field(a, "xxh3:");
  return !size.empty() && !sum.empty() && size == Field(b, "size=") && sum == Field(b, "xxh3:");
}

bool JsonlSource::SkipUnchanged(const std::string& path) {
  const std::string key = "jsonl:" + path;
  const std::optional<std::string> held = options_.resume(key);
  bool skip = held && UnchangedByStat(path, *held, options_.verify_skipped);
  if (!skip) {  // touched, changed, racy or new: the checksum decides
    absl::StatusOr<SourceCursor> cursor = FileCursor(path);
    if (cursor.ok()) {
      skip = held && SameContents(*held, cursor->value);
      // Read to its end, its cursor goes with its last batch; skipped, a cursor that differs
      // from the stored one (touched, or settled since) replaces it now.
      if (!skip) {
        current_cursor_ = std::move(*cursor);
      } else if (cursor->value != *held) {
        finished_cursors_.push_back(std::move(*cursor));
      }
    }
  }
  if (!skip) return false;
  ++skipped_;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  finished_files_bytes_ += ec ? 0 : size;
  bytes_read_.store(finished_files_bytes_);
  return true;
}

absl::StatusOr<std::unique_ptr<DocumentBatch>> JsonlSource::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  for (;;) {
    if (reader_ == nullptr && !OpenNextFile()) return nullptr;

    const size_t target = std::max<size_t>(options_.batch_bytes, 1);
    PooledBuffer pooled = buffers_->Take(std::max(target, carry_.size() * 2) + kPadding);
    size_t cap = pooled.capacity;
    std::unique_ptr<char[]> buf = std::move(pooled.data);
    size_t size = carry_.size();
    std::memcpy(buf.get(), carry_.data(), carry_.size());
    carry_.clear();
    size_t scanned = 0;  // bytes of buf already searched for a newline
    bool eof = false;
    const char* last_nl = nullptr;
    std::string read_error;

    while (!eof) {
      if (size + kPadding == cap) {  // grow for a line longer than the batch
        size_t new_cap = (cap - kPadding) * 2 + kPadding;
        auto bigger = std::make_unique_for_overwrite<char[]>(new_cap);
        std::memcpy(bigger.get(), buf.get(), size);
        buf = std::move(bigger);
        cap = new_cap;
      }
      auto n = reader_->Read(buf.get() + size, cap - kPadding - size);
      if (!n.ok()) {
        read_error = std::string(n.status().message());
        file_failed_ = true;
        damaged_.push_back(*current_path_);
        eof = true;
        break;
      }
      if (*n == 0) {
        eof = true;
        break;
      }
      if (file_bytes_ == 0 && size == 0 && *n >= 3 &&
          std::memcmp(buf.get(), "\xEF\xBB\xBF", 3) == 0) {
        // A UTF-8 byte order mark is not part of the first record.
        std::memmove(buf.get(), buf.get() + 3, *n - 3);
        file_bytes_ += 3;
        *n -= 3;
        if (*n == 0) continue;
      }
      file_bytes_ += *n;
      bytes_read_.store(finished_files_bytes_ + reader_->file_bytes_consumed());
      if (skipping_long_line_) {
        const char* nl = static_cast<const char*>(std::memchr(buf.get() + size, '\n', *n));
        if (nl == nullptr) continue;  // keep dropping; buffer is reused
        skipping_long_line_ = false;
        ++next_line_;
        size_t keep = static_cast<size_t>(buf.get() + size + *n - (nl + 1));
        std::memmove(buf.get(), nl + 1, keep);
        size = keep;
        scanned = 0;
        continue;
      }
      size += *n;
      if (size >= target) {
        last_nl = static_cast<const char*>(memrchr(buf.get() + scanned, '\n', size - scanned));
        if (last_nl != nullptr) break;
        scanned = size;
        if (size > options_.max_line_bytes) {
          std::string prefix(buf.get(), std::min(size, kQuarantinePrefix));
          rejects_->Add(Reject{*current_path_, next_line_, RejectReason::kLineTooLong,
                               fmt::format("line exceeds {} bytes; first {} bytes kept",
                                           options_.max_line_bytes, prefix.size()),
                               prefix});
          skipping_long_line_ = true;
          size = 0;
          scanned = 0;
        }
      }
    }

    size_t batch_size = size;
    if (!read_error.empty()) last_nl = static_cast<const char*>(memrchr(buf.get(), '\n', size));
    if (!eof || !read_error.empty()) {  // without an error, the read loop found last_nl
      batch_size = last_nl ? static_cast<size_t>(last_nl - buf.get()) + 1 : 0;
      if (!eof) carry_.assign(buf.get() + batch_size, size - batch_size);
    }
    uint64_t first_line = next_line_;
    next_line_ += static_cast<uint64_t>(std::count(buf.get(), buf.get() + batch_size, '\n'));
    if (!read_error.empty()) {
      // The line cut off by the failure is quarantined with the file's reject, not parsed.
      rejects_->Add(Reject{*current_path_, next_line_, RejectReason::kUnreadableFile, read_error,
                           std::string_view(buf.get() + batch_size, size - batch_size)});
    }
    if (eof) FinishFile();
    if (batch_size == 0) {
      buffers_->Give(PooledBuffer{std::move(buf), cap});
      continue;
    }
    std::memset(buf.get() + batch_size, ' ', kPadding);
    return std::make_unique<JsonlBatch>(PooledBuffer{std::move(buf), cap}, batch_size,
                                        current_path_, first_line, parsers_, buffers_);
  }
}

std::vector<std::string> JsonlSource::damaged_files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return damaged_;
}

SourceProgress JsonlSource::progress() const {
  return SourceProgress{bytes_read_.load(), bytes_total_};
}

}  // namespace nightjar
