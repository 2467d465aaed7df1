#include "corpus/mongo_query.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "absl/time/time.h"
#include "corpus/uri_params.h"
#include "util/uri.h"

namespace nightjar {
namespace {

absl::StatusOr<bool> ApplyParameter(std::string_view key, const std::string& v, MongoOptions* o) {
  if (key == "collection") {
    if (v.empty()) return absl::InvalidArgumentError("corpus.uri: parameter collection= is empty");
    o->collection = v;
  } else if (key == "id") {
    if (v.empty()) return absl::InvalidArgumentError("corpus.uri: parameter id= is empty");
    o->id_field = v;
  } else if (key == "text") {
    o->text_fields = SplitList(v);
    if (o->text_fields.empty()) {
      return absl::InvalidArgumentError("corpus.uri: parameter text= names no field");
    }
  } else if (key == "modified_at") {
    o->modified_at_field = v;
  } else if (key == "deleted") {
    o->deleted_field = v;
  } else {
    return TakePagingParam(key, v, 100000, &o->batch, &o->overlap_s, &o->retry_s);
  }
  return true;
}

BsonPtr NewBson() { return BsonPtr(bson_new()); }

// The first element of `b` (a {key: value} holder), or false.
bool FirstValue(const bson_t* b, bson_iter_t* it) {
  return b != nullptr && bson_iter_init(it, b) && bson_iter_next(it);
}

bool FindValue(const bson_t* b, const char* key, bson_iter_t* it) {
  return b != nullptr && bson_iter_init_find(it, b, key);
}

// `value` less `overlap_s` seconds, in its own type and unit, appended to `dst` as `key`.
void AppendLess(bson_t* dst, const char* key, const bson_iter_t& value, int64_t overlap_s) {
  bson_iter_t v = value;
  switch (bson_iter_type(&v)) {
    case BSON_TYPE_DATE_TIME:
      bson_append_date_time(dst, key, -1, bson_iter_date_time(&v) - overlap_s * 1000);
      return;
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
    case BSON_TYPE_DOUBLE: {
      const double d = bson_iter_as_double(&v);
      const double unit = d >= 1e11 ? 1000.0 : 1.0;
      bson_append_double(dst, key, -1, d - static_cast<double>(overlap_s) * unit);
      return;
    }
    case BSON_TYPE_UTF8: {
      // RFC 3339 text: compared as strings, so the start keeps the stored form's shape.
      int64_t ms = 0;
      if (ParseTimestampMs(bson_iter_utf8(&v, nullptr), &ms)) {
        const absl::Time t = absl::FromUnixMillis(ms - overlap_s * 1000);
        const std::string s = absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
        bson_append_utf8(dst, key, -1, s.data(), static_cast<int>(s.size()));
        return;
      }
      break;
    }
    default:
      break;
  }
  bson_append_iter(dst, key, -1, &v);
}

// Appends {field: {op: value}}.
void AppendCompare(bson_t* dst, const std::string& field, const char* op, const bson_iter_t& v) {
  bson_t sub;
  bson_append_document_begin(dst, field.c_str(), -1, &sub);
  bson_append_iter(&sub, op, -1, &v);
  bson_append_document_end(dst, &sub);
}

}  // namespace

std::string BsonToJson(const bson_t* b) {
  size_t n = 0;
  char* json = bson_as_canonical_extended_json(b, &n);
  std::string out = json == nullptr ? "" : std::string(json, n);
  bson_free(json);
  return out;
}

absl::StatusOr<MongoOptions> ParseMongoUri(std::string_view uri, const RecordSchema& schema) {
  MongoOptions o;
  o.text_fields = schema.text_fields;
  o.modified_at_field = schema.modified_at_field;
  o.deleted_field = schema.deleted_field;
  if (!uri.starts_with("mongodb://") && !uri.starts_with("mongodb+srv://")) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: '{}' is not a mongodb:// URI", RedactUri(uri)));
  }
  o.display = RedactUri(uri);
  auto rest = TakeParams(uri, [&](std::string_view key, const std::string& value) {
    return ApplyParameter(key, value, &o);
  });
  if (!rest.ok()) return rest.status();
  o.uri = std::move(*rest);
  // The database is the URI's path: mongodb://host[:port][,host...]/DB.
  const std::string_view base = UriBase(uri);
  const size_t authority = base.find("://") + 3;
  const size_t slash = base.find('/', authority);
  if (slash != std::string_view::npos) o.database = std::string(base.substr(slash + 1));
  if (o.database.empty()) {
    return absl::InvalidArgumentError(fmt::format(
        "corpus.uri: '{}' names no database (mongodb://HOST/DB?collection=documents)", o.display));
  }
  return o;
}

std::string OrderTypeOf(const bson_iter_t& value) {
  switch (bson_iter_type(&value)) {
    case BSON_TYPE_DATE_TIME:
      return "date";
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
    case BSON_TYPE_DOUBLE:
      return "number";
    case BSON_TYPE_UTF8:
      return "string";
    default:
      return "";
  }
}

// {"$expr": {"$in": [{"$mod": [{"$toHashedIndexKey": "$ID"}, N]}, [I, I - N]]}}: the hash is a
// signed 64-bit value and $mod keeps the dividend's sign, so shard I is the remainders I and
// I - N.
void AppendShard(bson_t* doc, const MongoScan& scan) {
  const std::string field = "$" + scan.id_field;
  const auto n = static_cast<int64_t>(scan.shard_count);
  const auto i = static_cast<int64_t>(scan.shard_index);
  bson_t expr, in, mod, hash, remainders;
  bson_append_document_begin(doc, "$expr", -1, &expr);
  bson_append_array_begin(&expr, "$in", -1, &in);
  bson_append_document_begin(&in, "0", -1, &mod);
  bson_t args;
  bson_append_array_begin(&mod, "$mod", -1, &args);
  bson_append_document_begin(&args, "0", -1, &hash);
  bson_append_utf8(&hash, "$toHashedIndexKey", -1, field.c_str(), -1);
  bson_append_document_end(&args, &hash);
  bson_append_int64(&args, "1", -1, n);
  bson_append_array_end(&mod, &args);
  bson_append_document_end(&in, &mod);
  bson_append_array_begin(&in, "1", -1, &remainders);
  bson_append_int64(&remainders, "0", -1, i);
  bson_append_int64(&remainders, "1", -1, i - n);
  bson_append_array_end(&in, &remainders);
  bson_append_array_end(&expr, &in);
  bson_append_document_end(doc, &expr);
}

BsonPtr PageFilter(const MongoScan& scan, const MongoBounds& b) {
  BsonPtr f = NewBson();
  const std::string& id = scan.id_field;
  const std::string& m = scan.order_field;
  bson_iter_t after_m, after_id;
  const bool has_after = FindValue(b.after.get(), "id", &after_id);
  if (m.empty() || scan.untimed) {
    if (scan.untimed) {
      // No watermark value of the scan's type: missing, null, or another type.
      bson_t sub, not_doc;
      bson_append_document_begin(f.get(), m.c_str(), -1, &sub);
      bson_append_document_begin(&sub, "$not", -1, &not_doc);
      bson_append_utf8(&not_doc, "$type", -1, scan.order_type.c_str(), -1);
      bson_append_document_end(&sub, &not_doc);
      bson_append_document_end(f.get(), &sub);
    }
    if (has_after) AppendCompare(f.get(), id, "$gt", after_id);
    if (scan.shard_count > 1) AppendShard(f.get(), scan);
    return f;
  }
  bson_t all;
  bson_append_array_begin(f.get(), "$and", -1, &all);
  int n = 0;
  auto clause = [&](auto&& fill) {
    const std::string key = std::to_string(n++);
    bson_t c;
    bson_append_document_begin(&all, key.c_str(), -1, &c);
    fill(&c);
    bson_append_document_end(&all, &c);
  };
  clause([&](bson_t* c) {
    bson_t sub;
    bson_append_document_begin(c, m.c_str(), -1, &sub);
    bson_append_utf8(&sub, "$type", -1, scan.order_type.c_str(), -1);
    bson_append_document_end(c, &sub);
  });
  bson_iter_t to, from;
  if (FirstValue(b.to.get(), &to)) clause([&](bson_t* c) { AppendCompare(c, m, "$lte", to); });
  if (has_after && FindValue(b.after.get(), "m", &after_m)) {
    // (m, id) > (after_m, after_id)
    clause([&](bson_t* c) {
      bson_t any, first, second;
      bson_append_array_begin(c, "$or", -1, &any);
      bson_append_document_begin(&any, "0", -1, &first);
      AppendCompare(&first, m, "$gt", after_m);
      bson_append_document_end(&any, &first);
      bson_append_document_begin(&any, "1", -1, &second);
      bson_append_iter(&second, m.c_str(), -1, &after_m);
      AppendCompare(&second, id, "$gt", after_id);
      bson_append_document_end(&any, &second);
      bson_append_array_end(c, &any);
    });
  } else if (FirstValue(b.from.get(), &from)) {
    clause([&](bson_t* c) {
      bson_t sub;
      bson_append_document_begin(c, m.c_str(), -1, &sub);
      AppendLess(&sub, "$gte", from, b.overlap_s);
      bson_append_document_end(c, &sub);
    });
  }
  if (scan.shard_count > 1) clause([&](bson_t* c) { AppendShard(c, scan); });
  bson_append_array_end(f.get(), &all);
  return f;
}

BsonPtr PageOptions(const MongoScan& scan, const MongoOptions& o, size_t limit) {
  BsonPtr opts = NewBson();
  bson_t sort, projection;
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  if (!scan.order_field.empty() && !scan.untimed) {
    bson_append_int32(&sort, scan.order_field.c_str(), -1, 1);
  }
  bson_append_int32(&sort, scan.id_field.c_str(), -1, 1);
  bson_append_document_end(opts.get(), &sort);
  bson_append_int64(opts.get(), "limit", -1, static_cast<int64_t>(limit));
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, scan.id_field.c_str(), -1, 1);
  for (const std::string& f : o.text_fields) bson_append_int32(&projection, f.c_str(), -1, 1);
  if (!o.modified_at_field.empty()) {
    bson_append_int32(&projection, o.modified_at_field.c_str(), -1, 1);
  }
  if (!o.deleted_field.empty()) bson_append_int32(&projection, o.deleted_field.c_str(), -1, 1);
  bson_append_document_end(opts.get(), &projection);
  return opts;
}

std::string EncodeCursor(const bson_t* key) { return "v1 " + BsonToJson(key); }

BsonPtr DecodeCursor(std::string_view value) {
  if (!value.starts_with("v1 ")) return nullptr;
  value.remove_prefix(3);
  bson_error_t error;
  BsonPtr b(bson_new_from_json(reinterpret_cast<const uint8_t*>(value.data()),
                               static_cast<ssize_t>(value.size()), &error));
  bson_iter_t it;
  if (b == nullptr || !FindValue(b.get(), "id", &it)) return nullptr;
  return b;
}

BsonPtr KeyOf(const bson_t* doc, const MongoScan& scan) {
  bson_iter_t id, m;
  if (!FindValue(doc, scan.id_field.c_str(), &id)) return nullptr;
  BsonPtr key = NewBson();
  if (!scan.order_field.empty() && !scan.untimed && FindValue(doc, scan.order_field.c_str(), &m)) {
    bson_append_iter(key.get(), "m", -1, &m);
  }
  bson_append_iter(key.get(), "id", -1, &id);
  return key;
}

bool MapDocument(const bson_t* doc, const MongoOptions& o, size_t max_document_bytes,
                 MongoMapped* out) {
  auto reject = [&](RejectReason reason, std::string detail) {
    out->reason = reason;
    out->detail = std::move(detail);
    return false;
  };
  Document& d = out->doc;
  d = Document();
  bson_iter_t it;
  if (!FindValue(doc, o.id_field.c_str(), &it) || BSON_ITER_HOLDS_NULL(&it)) {
    return reject(RejectReason::kMissingId, fmt::format("no document id field \"{}\"", o.id_field));
  }
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_UTF8: {
      uint32_t n = 0;
      const char* s = bson_iter_utf8(&it, &n);
      d.id = std::string_view(s, n);
      break;
    }
    case BSON_TYPE_OID: {
      char hex[25];
      bson_oid_to_string(bson_iter_oid(&it), hex);
      out->id_text.assign(hex, 24);
      d.id = out->id_text;
      break;
    }
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
      out->id_text = std::to_string(bson_iter_as_int64(&it));
      d.id = out->id_text;
      break;
    default:
      return reject(RejectReason::kIdNotString,
                    "document id is not a string, an ObjectId or an integer");
  }
  if (d.id.empty()) return reject(RejectReason::kMissingId, "document id is empty");
  out->fields.assign(o.text_fields.size(), std::string_view());
  for (size_t i = 0; i < o.text_fields.size(); ++i) {
    if (!FindValue(doc, o.text_fields[i].c_str(), &it) || BSON_ITER_HOLDS_NULL(&it)) continue;
    if (!BSON_ITER_HOLDS_UTF8(&it)) {
      return reject(RejectReason::kFieldNotString,
                    fmt::format("field \"{}\" is not a string", o.text_fields[i]));
    }
    uint32_t n = 0;
    const char* s = bson_iter_utf8(&it, &n);
    const std::string_view v(s, n);
    if (v.find('\0') != std::string_view::npos) {
      return reject(RejectReason::kNulByte,
                    fmt::format("field \"{}\" contains a NUL character", o.text_fields[i]));
    }
    if (!simdjson::validate_utf8(v.data(), v.size())) {
      return reject(RejectReason::kInvalidUtf8,
                    fmt::format("field \"{}\" is not valid UTF-8", o.text_fields[i]));
    }
    out->fields[i] = v;
  }
  if (!o.modified_at_field.empty() && FindValue(doc, o.modified_at_field.c_str(), &it) &&
      !BSON_ITER_HOLDS_NULL(&it)) {
    const std::string type = OrderTypeOf(it);
    int64_t ms = 0;
    if (type == "date") {
      d.modified_at_ms = bson_iter_date_time(&it);
    } else if (type == "number" && bson_iter_as_double(&it) >= 0) {
      d.modified_at_ms = EpochToMillis(bson_iter_as_double(&it));
    } else if (type == "string" && ParseTimestampMs(bson_iter_utf8(&it, nullptr), &ms)) {
      d.modified_at_ms = ms;
    } else {
      return reject(RejectReason::kBadModifiedAt,
                    fmt::format("field \"{}\" is not a date, an epoch number or RFC 3339 text",
                                o.modified_at_field));
    }
  }
  if (!o.deleted_field.empty() && FindValue(doc, o.deleted_field.c_str(), &it) &&
      !BSON_ITER_HOLDS_NULL(&it)) {
    if (BSON_ITER_HOLDS_BOOL(&it)) {
      d.deleted = bson_iter_bool(&it);
    } else if ((BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)) &&
               (bson_iter_as_int64(&it) == 0 || bson_iter_as_int64(&it) == 1)) {
      d.deleted = bson_iter_as_int64(&it) == 1;
    } else {
      return reject(RejectReason::kBadDeleted,
                    fmt::format("field \"{}\" is not a boolean", o.deleted_field));
    }
  }
  d.truncated = TruncateToBudget(max_document_bytes, &out->fields);
  d.fields = out->fields;
  return true;
}

}  // namespace nightjar
