#include "corpus/jsonl_parser.h"

#include <fmt/format.h>

#include <cstring>

#include "absl/time/time.h"
#include "corpus/document.h"

namespace nightjar {

bool ParseTimestampMs(std::string_view text, int64_t* ms) {
  absl::Time t;
  std::string err;
  std::string s(text);
  if (absl::ParseTime(absl::RFC3339_full, s, &t, &err) ||
      absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", s, absl::UTCTimeZone(), &t, &err) ||
      absl::ParseTime("%Y-%m-%d", s, absl::UTCTimeZone(), &t, &err)) {
    *ms = absl::ToUnixMillis(t);
    return true;
  }
  return false;
}

JsonlParser::JsonlParser(const RecordSchema& schema) : schema_(schema) {
  fields_.resize(schema_.text_fields.size());
}

JsonlParser::FieldRole JsonlParser::RoleOf(std::string_view key, size_t* index) const {
  for (size_t i = 0; i < schema_.text_fields.size(); ++i) {
    if (key == schema_.text_fields[i]) {
      *index = i;
      return FieldRole::kText;
    }
  }
  for (size_t i = 0; i < schema_.id_fields.size(); ++i) {
    if (key == schema_.id_fields[i]) {
      *index = i;
      return FieldRole::kId;
    }
  }
  if (key == schema_.modified_at_field) return FieldRole::kModifiedAt;
  if (key == schema_.deleted_field) return FieldRole::kDeleted;
  return FieldRole::kOther;
}

namespace {

// modified_at as RFC 3339 text or epoch seconds / milliseconds; false when it is neither.
inline bool ParseModifiedAt(simdjson::dom::element value, int64_t* ms) {
  if (value.is_string()) return ParseTimestampMs(value.get_string().value_unsafe(), ms);
  if (!value.is_number()) return false;
  const double d = value.get_double().value_unsafe();
  *ms = EpochToMillis(d);
  return d >= 0 && d < 9e15;
}

// The deleted flag as a boolean, 0 or 1 (null: not deleted); false for anything else.
inline bool ParseDeletedFlag(simdjson::dom::element value, bool* deleted) {
  if (value.is_bool()) {
    *deleted = value.get_bool().value_unsafe();
    return true;
  }
  if (value.is_int64()) {
    const int64_t v = value.get_int64().value_unsafe();
    *deleted = v == 1;
    return v == 0 || v == 1;
  }
  return value.is_null();
}

}  // namespace

bool JsonlParser::RejectAs(RejectReason reason, std::string_view detail, const Where& where) {
  where.rejects.Add(Reject{where.source, where.line_no, reason, detail, where.line});
  return false;
}

bool JsonlParser::Parse(std::string_view line, std::string_view source, uint64_t line_no,
                        RejectSink& rejects, Document* doc) {
  const Where where{line, source, line_no, rejects};
  if (std::memchr(line.data(), 0, line.size()) != nullptr) {
    return RejectAs(RejectReason::kNulByte, "NUL byte in record", where);
  }
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    return RejectAs(RejectReason::kInvalidUtf8, "record is not valid UTF-8", where);
  }
  // The line lives inside a larger buffer that carries SIMDJSON_PADDING after its end, so the
  // DOM parser (which validates the whole record, trailing content included) needs no copy.
  simdjson::dom::element root;
  if (auto e = parser_.parse(line.data(), line.size(), /*realloc_if_needed=*/false).get(root)) {
    return RejectAs(RejectReason::kInvalidJson, simdjson::error_message(e), where);
  }
  simdjson::dom::object obj;
  if (root.get(obj)) {
    return RejectAs(RejectReason::kNotObject, "record is not a JSON object", where);
  }
  std::fill(fields_.begin(), fields_.end(), std::string_view());
  Members m;
  if (!ReadMembers(obj, where, &m) || !CheckDecoded(m, where)) return false;
  const bool truncated = TruncateToBudget(schema_.max_document_bytes, &fields_);
  doc->id = m.id;
  doc->fields = fields_;
  doc->modified_at_ms = m.modified_ms;
  doc->deleted = m.deleted;
  doc->truncated = truncated;
  return true;
}

bool JsonlParser::ReadMembers(simdjson::dom::object obj, const Where& where, Members* m) {
  for (auto [key, value] : obj) {
    size_t index = 0;
    const FieldRole role = RoleOf(key, &index);
    if (role == FieldRole::kOther) continue;
    const bool is_null = value.is_null();
    switch (role) {
      case FieldRole::kId: {
        if (index > m->id_rank) break;
        if (!value.is_string()) {
          if (!is_null) m->id_wrong_type = true;
          break;
        }
        m->id = value.get_string().value_unsafe();
        m->id_rank = index;
        m->id_wrong_type = false;
        break;
      }
      case FieldRole::kText: {
        if (is_null) break;
        if (!value.is_string()) {
          detail_ = fmt::format("field \"{}\" is not a string", key);
          return RejectAs(RejectReason::kFieldNotString, detail_, where);
        }
        fields_[index] = value.get_string().value_unsafe();
        break;
      }
      case FieldRole::kModifiedAt: {
        if (is_null) break;
        if (!ParseModifiedAt(value, &m->modified_ms)) {
          detail_ = fmt::format("field \"{}\" is not RFC 3339 text or an epoch number", key);
          return RejectAs(RejectReason::kBadModifiedAt, detail_, where);
        }
        break;
      }
      case FieldRole::kDeleted: {
        if (!ParseDeletedFlag(value, &m->deleted)) {
          detail_ = fmt::format("field \"{}\" is not a boolean", key);
          return RejectAs(RejectReason::kBadDeleted, detail_, where);
        }
        break;
      }
      case FieldRole::kOther:
        break;
    }
  }
  return true;
}

bool JsonlParser::CheckDecoded(const Members& m, const Where& where) {
  if (m.id_rank == SIZE_MAX) {
    if (m.id_wrong_type) {
      return RejectAs(RejectReason::kIdNotString, "document id is not a string", where);
    }
    return RejectAs(RejectReason::kMissingId, "no document id field", where);
  }
  if (m.id.empty()) return RejectAs(RejectReason::kMissingId, "document id is empty", where);
  // Decoded strings can still carry what the raw line could not (\u0000, lone surrogates).
  auto good = [&](std::string_view s, std::string_view what) -> bool {
    if (std::memchr(s.data(), 0, s.size()) != nullptr) {
      detail_ = fmt::format("{} contains a NUL character", what);
      return RejectAs(RejectReason::kNulByte, detail_, where);
    }
    if (!simdjson::validate_utf8(s.data(), s.size())) {
      detail_ = fmt::format("{} is not valid UTF-8 after unescaping", what);
      return RejectAs(RejectReason::kInvalidUtf8, detail_, where);
    }
    return true;
  };
  if (!good(m.id, "document id")) return false;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (!good(fields_[i], schema_.text_fields[i])) return false;
  }
  return true;
}

}  // namespace nightjar
