#ifndef NIGHTJAR_CORPUS_JSONL_PARSER_H_
#define NIGHTJAR_CORPUS_JSONL_PARSER_H_

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/document.h"
#include "corpus/reject.h"

namespace nightjar {

// How JSONL records map to documents. Every field has a default.
struct RecordSchema {
  std::vector<std::string> id_fields = {"_id", "id"};  // first present one wins, in this order
  std::vector<std::string> text_fields = {"title", "body"};
  std::string modified_at_field = "modified_at";  // RFC 3339 text or epoch s/ms number
  std::string deleted_field = "deleted";          // true/false or 1/0; null = false
  size_t max_document_bytes = 1 << 20;            // text beyond this (all fields) is truncated
};

// Parses and fully validates one JSONL record at a time with simdjson's DOM API. Not thread-safe;
// one per worker. The Document passed out views the parser's buffers until the next Parse call.
class JsonlParser {
 public:
  explicit JsonlParser(const RecordSchema& schema);

  // Parses `line`, which must be followed by at least SIMDJSON_PADDING readable bytes.
  // Returns true and fills *doc on success; otherwise reports a reject to `rejects`.
  bool Parse(std::string_view line, std::string_view source, uint64_t line_no, RejectSink& rejects,
             Document* doc);

 private:
  enum class FieldRole : uint8_t { kOther, kId, kText, kModifiedAt, kDeleted };
  // The record being parsed and where rejects about it go.
  struct Where {
    std::string_view line;
    std::string_view source;
    uint64_t line_no;
    RejectSink& rejects;
  };
  // What the members of a record said besides its text fields (those go into fields_).
  struct Members {
    std::string_view id;
    size_t id_rank = SIZE_MAX;  // index into id_fields of the id taken; SIZE_MAX: none
    bool id_wrong_type = false;
    int64_t modified_ms = Document::kNoTime;
    bool deleted = false;
  };
  FieldRole RoleOf(std::string_view key, size_t* index) const;
  // Reads the members of `obj` into *m and fields_; false after rejecting the record.
  bool ReadMembers(simdjson::dom::object obj, const Where& where, Members* m);
  // Rejects a record without an id, or whose decoded id or text carries a NUL or invalid UTF-8;
  // false after rejecting it.
  bool CheckDecoded(const Members& m, const Where& where);
  // Reports the reject; returns false, so that callers can return its result.
  bool RejectAs(RejectReason reason, std::string_view detail, const Where& where);

  RecordSchema schema_;
  simdjson::dom::parser parser_;
  std::vector<std::string_view> fields_;
  std::string detail_;
};

// Parses RFC 3339 text ("2024-05-01T12:00:00Z", fractional seconds and offsets allowed, or a bare
// date) to epoch milliseconds. Returns false when the text is not one of those forms.
bool ParseTimestampMs(std::string_view text, int64_t* ms);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_JSONL_PARSER_H_
