#include "count/term_runs.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <queue>

#include "util/checksum.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

constexpr char kMagic[8] = {'n', 'j', 't', 'e', 'r', 'm', 'r', 'n'};
constexpr uint32_t kVersion = 1;
constexpr size_t kBuffer = size_t{1} << 20;

struct FileCloser {
  void operator()(std::FILE* f) const {
    std::fclose(f);  // NOLINT(cppcoreguidelines-owning-memory)
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Writes one run: the header, entries in order, then the end marker, count and checksum.
class RunWriter {
 public:
  explicit RunWriter(std::string path) : path_(std::move(path)) {}

  absl::Status Open() {
    f_.reset(std::fopen(path_.c_str(), "wbe"));  // NOLINT(cppcoreguidelines-owning-memory)
    if (!f_) return Error();
    buf_.append(kMagic, 8);
    PutFixed(&buf_, kVersion, 4);
    return absl::OkStatus();
  }
  absl::Status Add(std::string_view term, uint64_t hash, const TermStats& s) {
    buf_.push_back(1);
    PutFixed(&buf_, hash, 8);
    PutVarint(&buf_, term.size());
    buf_.append(term);
    PutVarint(&buf_, s.frequency);
    PutVarint(&buf_, s.doc_frequency);
    ++entries_;
    return buf_.size() >= kBuffer ? Flush() : absl::OkStatus();
  }
  // Ends the run; the file is complete once this returns OK.
  absl::Status Finish() {
    buf_.push_back(0);
    PutFixed(&buf_, entries_, 8);
    NJ_RETURN_IF_ERROR(Flush());
    PutFixed(&buf_, sum_.Digest(), 8);
    written_ += buf_.size();
    if (std::fwrite(buf_.data(), 1, buf_.size(), f_.get()) != buf_.size() ||
        std::fflush(f_.get()) != 0) {
      return Error();
    }
    return absl::OkStatus();
  }
  uint64_t written() const { return written_; }

 private:
  absl::Status Error() const {
    return absl::InternalError(fmt::format("spill {}: {}", path_, std::strerror(errno)));
  }
  absl::Status Flush() {
    sum_.Update(buf_);
    written_ += buf_.size();
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_.get()) != buf_.size()) {
      return Error();
    }
    buf_.clear();
    return absl::OkStatus();
  }

  std::string path_;
  File f_;
  std::string buf_;
  Checksum sum_;
  uint64_t entries_ = 0;
  uint64_t written_ = 0;
};

// Sequential reads of one run, checking its header, bounds and checksum.
class RunReader {
 public:
  explicit RunReader(std::string path) : path_(std::move(path)) {}

  absl::Status Open() {
    f_.reset(std::fopen(path_.c_str(), "rbe"));  // NOLINT(cppcoreguidelines-owning-memory)
    if (!f_) return Corrupt(std::strerror(errno));
    char magic[8];
    uint64_t version = 0;
    if (!Read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) return Corrupt("not a term run");
    if (!Fixed(4, &version) || version != kVersion) {
      return Corrupt(fmt::format("format version {} (this build reads {})", version, kVersion));
    }
    return absl::OkStatus();
  }

  // Reads the next entry into term/hash/stats; false at the end (after checking the checksum)
  // or on an error (status()).
  bool Next() {
    char marker = 0;
    if (!Read(&marker, 1)) return Fail("cut short");
    if (marker == 0) {
      Finish();
      return false;
    }
    if (marker != 1) return Fail("a bad entry");
    ++entries_;
    uint64_t len = 0;
    if (!Fixed(8, &hash) || !Varint(&len) || len > 0xFFFF) return Fail("a bad entry");
    term.resize(len);
    if (!Read(term.data(), len) || !Varint(&stats.frequency) || !Varint(&stats.doc_frequency)) {
      return Fail("cut short");
    }
    return true;
  }
  const absl::Status& status() const { return status_; }
  const std::string& path() const { return path_; }

  std::string term;
  uint64_t hash = 0;
  TermStats stats;

 private:
  absl::Status Corrupt(std::string_view why) const {
    return absl::DataLossError(fmt::format("term run {}: {}", path_, why));
  }
  bool Fail(std::string_view why) {
    status_ = Corrupt(why);
    return false;
  }
  void Finish() {
    uint64_t entries = 0;
    if (!Fixed(8, &entries) || entries != entries_) {
      Fail("cut short: its entry count does not match");
      return;
    }
    const uint64_t expect = sum_.Digest();
    uint64_t got = 0;
    if (!Fixed(8, &got, /*summed=*/false)) {
      Fail("cut short before its checksum");
    } else if (got != expect) {
      Fail("checksum mismatch");
    }
  }
  bool Read(char* dst, size_t n, bool summed = true) {
    if (n > 0 && std::fread(dst, 1, n, f_.get()) != n) return false;
    if (summed) sum_.Update(std::string_view(dst, n));
    return true;
  }
  bool Fixed(int bytes, uint64_t* v, bool summed = true) {
    unsigned char b[8];
    if (!Read(reinterpret_cast<char*>(b), static_cast<size_t>(bytes), summed)) return false;
    *v = 0;
    for (int i = 0; i < bytes; ++i) *v |= uint64_t{b[i]} << (8 * i);
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      char c;
      if (!Read(&c, 1)) return false;
      *v |= uint64_t{static_cast<unsigned char>(c) & 0x7Fu} << shift;
      if ((c & 0x80) == 0) return true;
    }
    return false;
  }

  std::string path_;
  File f_;
  uint64_t entries_ = 0;
  Checksum sum_;
  absl::Status status_;
};

}  // namespace

absl::Status WriteTermRun(const TermTable& table, const std::string& path, uint64_t* bytes) {
  RunWriter w(path);
  NJ_RETURN_IF_ERROR(w.Open());
  absl::Status status;
  table.ForEachInHashOrder([&](std::string_view term, uint64_t hash, const TermStats& s) {
    if (status.ok()) status = w.Add(term, hash, s);
  });
  NJ_RETURN_IF_ERROR(status);
  NJ_RETURN_IF_ERROR(w.Finish());
  *bytes = w.written();
  return absl::OkStatus();
}

namespace {

// fn(term, hash, stats) for every term of the runs at `paths`, counts summed, in order.
absl::Status MergeRuns(
    const std::vector<std::string>& paths,
    const std::function<absl::Status(std::string_view, uint64_t, const TermStats&)>& fn) {
  std::vector<std::unique_ptr<RunReader>> readers;
  for (const std::string& p : paths) {
    readers.push_back(std::make_unique<RunReader>(p));
    NJ_RETURN_IF_ERROR(readers.back()->Open());
  }
  auto after = [](const RunReader* a, const RunReader* b) {
    return a->hash != b->hash ? a->hash > b->hash : a->term > b->term;
  };
  std::priority_queue<RunReader*, std::vector<RunReader*>, decltype(after)> heap(after);
  auto advance = [&](RunReader* r) -> absl::Status {
    if (r->Next()) {
      heap.push(r);
      return absl::OkStatus();
    }
    return r->status();
  };
  for (auto& r : readers) NJ_RETURN_IF_ERROR(advance(r.get()));
  std::string term;
  uint64_t hash = 0;
  TermStats sum;
  bool have = false;
  while (!heap.empty()) {
    RunReader* r = heap.top();
    heap.pop();
    if (have && r->term != term) {
      NJ_RETURN_IF_ERROR(fn(term, hash, sum));
      have = false;
    }
    if (!have) {
      term = r->term;
      hash = r->hash;
      sum = TermStats{};
      have = true;
    }
    sum.frequency += r->stats.frequency;
    sum.doc_frequency += r->stats.doc_frequency;
    NJ_RETURN_IF_ERROR(advance(r));
  }
  return have ? fn(term, hash, sum) : absl::OkStatus();
}

}  // namespace

TermRuns::TermRuns(const std::string& parent) {
  if (parent.empty()) {
    dir_ = std::make_unique<TempDir>();
  } else {
    dir_ = std::make_unique<TempDir>(parent);
  }
}

absl::Status TermRuns::Spill(TermTable& table) {
  if (dir_->path().empty()) return absl::InternalError("spill: no temporary directory");
  std::string path = NextPath();
  uint64_t bytes = 0;
  NJ_RETURN_IF_ERROR(WriteTermRun(table, path, &bytes));
  table.Clear();
  std::lock_guard<std::mutex> lock(mu_);
  paths_.push_back(std::move(path));
  bytes_ += bytes;
  return absl::OkStatus();
}

size_t TermRuns::runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return paths_.size();
}

uint64_t TermRuns::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

std::string TermRuns::NextPath() {
  std::lock_guard<std::mutex> lock(mu_);
  return dir_->Sub(fmt::format("run-{:06}", next_++));
}

absl::Status TermRuns::Merge(const std::function<void(std::string_view, const TermStats&)>& fn) {
  // Too many runs to read at once: merge the oldest into one, until few enough remain.
  while (paths_.size() > kMaxFanIn) {
    const std::vector<std::string> group(paths_.begin(), paths_.begin() + kMaxFanIn);
    const std::string merged = NextPath();
    RunWriter w(merged);
    NJ_RETURN_IF_ERROR(w.Open());
    NJ_RETURN_IF_ERROR(MergeRuns(group, [&](std::string_view term, uint64_t hash,
                                            const TermStats& s) { return w.Add(term, hash, s); }));
    NJ_RETURN_IF_ERROR(w.Finish());
    for (const std::string& p : group) std::remove(p.c_str());
    paths_.erase(paths_.begin(), paths_.begin() + kMaxFanIn);
    paths_.push_back(merged);
  }
  return MergeRuns(paths_, [&](std::string_view term, uint64_t, const TermStats& s) {
    fn(term, s);
    return absl::OkStatus();
  });
}

}  // namespace nightjar
