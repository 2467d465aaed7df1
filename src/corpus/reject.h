#ifndef NIGHTJAR_CORPUS_REJECT_H_
#define NIGHTJAR_CORPUS_REJECT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace nightjar {

// Why a record was not accepted. Names are stable: they appear in manifests and metrics.
enum class RejectReason : uint8_t {
  kInvalidJson,     // not parseable as JSON
  kNotObject,       // valid JSON but not an object
  kMissingId,       // no id field, or an empty one
  kIdNotString,     // the id is not a string
  kFieldNotString,  // a configured text field holds a non-string (null counts as absent)
  kInvalidUtf8,     // the record or a decoded string is not valid UTF-8
  kNulByte,         // a NUL byte in the record or in a decoded string
  kBadModifiedAt,   // modified_at is neither RFC 3339 text nor an epoch number
  kBadDeleted,      // the deleted flag is not a boolean or 0/1
  kLineTooLong,     // a line over the reader's hard line cap
  kEmptyFile,       // a corpus file with no bytes
  kUnreadableFile,  // a corpus file that cannot be opened, read or decompressed
  kCount_,
};
inline constexpr size_t kRejectReasonCount = static_cast<size_t>(RejectReason::kCount_);

std::string_view RejectReasonName(RejectReason r);
// The reason RejectReasonName gives `name`; nullopt for none.
std::optional<RejectReason> RejectReasonNamed(std::string_view name);

// A rejected record. Views are valid only during RejectSink::Add.
struct Reject {
  std::string_view source;  // file path or source URI
  uint64_t line = 0;        // 1-based line; 0 for whole-file rejects
  RejectReason reason = RejectReason::kInvalidJson;
  std::string_view detail;  // human-readable specifics (field name, parser error)
  std::string_view raw;     // the record as read, kept in quarantine
};

// Receives rejects. Implementations must be thread-safe.
class RejectSink {
 public:
  virtual ~RejectSink() = default;
  virtual void Add(const Reject& reject) = 0;
};

// Counts rejects by reason and, when given a path, quarantines each one as a JSONL line
// {"source","line","reason","detail","raw"|"raw_base64"}. Thread-safe.
class RejectLog : public RejectSink {
 public:
  // An empty path counts without writing a file. The file is created lazily on the first reject.
  explicit RejectLog(std::string path = "");
  RejectLog(const RejectLog&) = delete;
  RejectLog& operator=(const RejectLog&) = delete;
  ~RejectLog() override;

  void Add(const Reject& reject) override;
  // Counts `n` rejects of `reason` that were quarantined elsewhere (another shard's pod), writing
  // nothing.
  void AddCount(RejectReason reason, uint64_t n) { counts_[static_cast<size_t>(reason)] += n; }
  // Flushes and closes the file; further rejects are only counted. Returns the first write error.
  [[nodiscard]] absl::Status Close();

  uint64_t count(RejectReason r) const { return counts_[static_cast<size_t>(r)].load(); }
  uint64_t total() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::array<std::atomic<uint64_t>, kRejectReasonCount> counts_{};
  std::mutex mu_;
  std::FILE* file_ = nullptr;  // guarded by mu_
  absl::Status write_status_;  // guarded by mu_
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_REJECT_H_
