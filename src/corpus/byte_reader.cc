#include "corpus/byte_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/file_util.h"

namespace nightjar {
namespace {

// Owns a file descriptor and reads it with retries on EINTR.
class FdFile {
 public:
  explicit FdFile(int fd) : fd_(fd) {}
  FdFile(const FdFile&) = delete;
  FdFile& operator=(const FdFile&) = delete;
  ~FdFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  ssize_t Read(char* buf, size_t n) {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0 || errno != EINTR) return r;
    }
  }

 private:
  int fd_;
};

class PlainReader : public ByteReader {
 public:
  PlainReader(std::string path, int fd) : path_(std::move(path)), file_(fd) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    ssize_t r = file_.Read(buf, n);
    if (r < 0) return ErrnoStatus(errno, "read", path_);
    consumed_ += static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }
  uint64_t file_bytes_consumed() const override { return consumed_; }

 private:
  std::string path_;
  FdFile file_;
  uint64_t consumed_ = 0;
};

// Streams a gzip file (multi-member files included) through zlib's inflate.
class GzipReader : public ByteReader {
 public:
  GzipReader(std::string path, int fd) : path_(std::move(path)), file_(fd), in_(1 << 20) {
    std::memset(&zs_, 0, sizeof(zs_));
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;  // +32: detect gzip/zlib header
  }
  ~GzipReader() override {
    if (ok_) inflateEnd(&zs_);
  }
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return absl::InternalError(fmt::format("inflateInit {}", path_));
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n && !done_) {
      if (zs_.avail_in == 0) {
        ssize_t r = file_.Read(in_.data(), in_.size());
        if (r < 0) return ErrnoStatus(errno, "read", path_);
        if (r == 0) {
          if (!stream_end_) {
            return absl::DataLossError(fmt::format("gzip stream truncated: {}", path_));
          }
          done_ = true;
          break;
        }
        consumed_ += static_cast<uint64_t>(r);
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(r);
      }
      if (stream_end_) {  // another gzip member follows
        if (inflateReset(&zs_) != Z_OK) return absl::DataLossError(fmt::format("gzip {}", path_));
        stream_end_ = false;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        stream_end_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return absl::DataLossError(
            fmt::format("gzip data error in {}: {}", path_, zs_.msg ? zs_.msg : "corrupt"));
      }
    }
    return n - zs_.avail_out;
  }
  uint64_t file_bytes_consumed() const override { return consumed_; }

 private:
  std::string path_;
  FdFile file_;
  std::vector<char> in_;
  z_stream zs_;
  bool ok_ = false;
  bool stream_end_ = false;
  bool done_ = false;
  uint64_t consumed_ = 0;
};

class ZstdReader : public ByteReader {
 public:
  ZstdReader(std::string path, int fd)
      : path_(std::move(path)), file_(fd), in_(ZSTD_DStreamInSize()), ds_(ZSTD_createDStream()) {}
  ~ZstdReader() override { ZSTD_freeDStream(ds_); }
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0 && !done_) {
      if (input_.pos == input_.size) {
        ssize_t r = file_.Read(in_.data(), in_.size());
        if (r < 0) return ErrnoStatus(errno, "read", path_);
        if (r == 0) {
          if (frame_open_) {
            return absl::DataLossError(fmt::format("zstd stream truncated: {}", path_));
          }
          done_ = true;
          break;
        }
        consumed_ += static_cast<uint64_t>(r);
        input_ = ZSTD_inBuffer{in_.data(), static_cast<size_t>(r), 0};
      }
      size_t rc = ZSTD_decompressStream(ds_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return absl::DataLossError(
            fmt::format("zstd data error in {}: {}", path_, ZSTD_getErrorName(rc)));
      }
      frame_open_ = rc != 0;
    }
    return out.pos;
  }
  uint64_t file_bytes_consumed() const override { return consumed_; }

 private:
  std::string path_;
  FdFile file_;
  std::vector<char> in_;
  ZSTD_DStream* ds_;  // owned
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool frame_open_ = false;
  bool done_ = false;
  uint64_t consumed_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ByteReader>> ByteReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  unsigned char magic[4] = {0, 0, 0, 0};
  ssize_t got = ::pread(fd, magic, sizeof(magic), 0);
  if (got < 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "read", path);
  }
  if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    return std::make_unique<GzipReader>(path, fd);
  }
  if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return std::make_unique<ZstdReader>(path, fd);
  }
  return std::make_unique<PlainReader>(path, fd);
}

}  // namespace nightjar
