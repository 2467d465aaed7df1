#include "corpus/reject.h"

#include <simdjson.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "util/file_util.h"
#include "util/json_writer.h"

namespace nightjar {

std::string_view RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kInvalidJson:
      return "invalid_json";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kMissingId:
      return "missing_id";
    case RejectReason::kIdNotString:
      return "id_not_string";
    case RejectReason::kFieldNotString:
      return "field_not_string";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kNulByte:
      return "nul_byte";
    case RejectReason::kBadModifiedAt:
      return "bad_modified_at";
    case RejectReason::kBadDeleted:
      return "bad_deleted";
    case RejectReason::kLineTooLong:
      return "line_too_long";
    case RejectReason::kEmptyFile:
      return "empty_file";
    case RejectReason::kUnreadableFile:
      return "unreadable_file";
    case RejectReason::kCount_:
      break;
  }
  return "unknown";
}

std::optional<RejectReason> RejectReasonNamed(std::string_view name) {
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    const auto r = static_cast<RejectReason>(i);
    if (RejectReasonName(r) == name) return r;
  }
  return std::nullopt;
}

RejectLog::RejectLog(std::string path) : path_(std::move(path)) {}

RejectLog::~RejectLog() { (void)Close(); }

uint64_t RejectLog::total() const {
  uint64_t t = 0;
  for (const auto& c : counts_) t += c.load();
  return t;
}

void RejectLog::Add(const Reject& reject) {
  counts_[static_cast<size_t>(reject.reason)].fetch_add(1);
  if (path_.empty()) return;
  JsonWriter w;
  w.BeginObject();
  w.Key("source").String(reject.source);
  w.Key("line").Uint(reject.line);
  w.Key("reason").String(RejectReasonName(reject.reason));
  w.Key("detail").String(reject.detail);
  if (simdjson::validate_utf8(reject.raw.data(), reject.raw.size())) {
    w.Key("raw").String(reject.raw);
  } else {
    w.Key("raw_base64")
        .String(absl::Base64Escape(absl::string_view(reject.raw.data(), reject.raw.size())));
  }
  w.EndObject();
  std::string line = w.Take();
  line.push_back('\n');

  std::lock_guard<std::mutex> lock(mu_);
  if (!write_status_.ok()) return;
  if (file_ == nullptr) {
    auto parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) {
      if (absl::Status st = MakeDirs(parent.string()); !st.ok()) {
        write_status_ = st;
        return;
      }
    }
    file_ = std::fopen(path_.c_str(), "we");
    if (file_ == nullptr) {
      write_status_ = ErrnoStatus(errno, "open rejects file", path_);
      return;
    }
  }
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
    write_status_ = ErrnoStatus(errno, "write rejects file", path_);
  }
}

absl::Status RejectLog::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) {
    if (std::fflush(file_) != 0 && write_status_.ok()) {
      write_status_ = ErrnoStatus(errno, "flush rejects file", path_);
    }
    std::fclose(file_);
    file_ = nullptr;
  }
  return write_status_;
}

}  // namespace nightjar
