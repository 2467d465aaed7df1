#ifndef NIGHTJAR_STATE_DOC_RECORD_H_
#define NIGHTJAR_STATE_DOC_RECORD_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document.h"

namespace nightjar {

// What the state keeps of one live document: enough to tell whether a new copy changed it, and
// its text, from which its exact contribution is counted again to subtract it (when it is
// modified or deleted) and which the mining passes replay instead of the source. Written only
// by Encode, read only by Decode: kDocRecordMagic, format version, then the fields.
struct DocRecord {
  uint64_t fingerprint = 0;  // ContentFingerprint of the text fields
  int64_t modified_at_ms = Document::kNoTime;
  bool truncated = false;  // the source cut the text to its size cap
  // A tombstone: the id was deleted at modified_at_ms. Kept so that an older copy read later
  // cannot bring the document back; no fields, not counted.
  bool deleted = false;
  std::vector<std::string> fields;  // the text fields, in configured order

  // The record of `doc` (a tombstone when doc.deleted).
  static DocRecord Of(const Document& doc);
  // A Document viewing this record (valid while the record and `views` live).
  Document View(std::string_view id, std::vector<std::string_view>* views) const;

  std::string Encode() const;
  // DataLoss naming the problem when `bytes` is not a record of this format.
  [[nodiscard]] static absl::StatusOr<DocRecord> Decode(std::string_view bytes);

  bool operator==(const DocRecord&) const = default;
};

inline constexpr uint8_t kDocRecordMagic = 0xD0;
inline constexpr uint8_t kDocRecordVersion = 1;

// A 64-bit hash of a document's text fields (each length-prefixed, so that moving text from one
// field to the next changes it): equal fingerprints mean unchanged content.
uint64_t ContentFingerprint(std::span<const std::string_view> fields);

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_DOC_RECORD_H_
