#include "corpus/postgres_query.h"

#include <fmt/format.h>

#include <charconv>

#include "corpus/uri_params.h"
#include "util/uri.h"

namespace nightjar {
namespace {

// Applies one of nightjar's parameters; false when `key` is not one (it is libpq's).
absl::StatusOr<bool> ApplyParameter(std::string_view key, const std::string& v,
                                    PostgresOptions* o) {
  if (key == "table") {
    if (v.empty()) return absl::InvalidArgumentError("corpus.uri: parameter table= is empty");
    o->table = v;
  } else if (key == "id") {
    o->id_columns = SplitList(v);
    if (o->id_columns.empty()) {
      return absl::InvalidArgumentError("corpus.uri: parameter id= is empty");
    }
  } else if (key == "text") {
    o->text_columns = SplitList(v);
    if (o->text_columns.empty()) {
      return absl::InvalidArgumentError("corpus.uri: parameter text= names no column");
    }
  } else if (key == "modified_at") {
    o->modified_at_column = v;
  } else if (key == "deleted") {
    o->deleted_column = v;
  } else if (key == "deletes") {
    o->deletes_table = v;
  } else if (key == "deletes_at") {
    if (v.empty()) return absl::InvalidArgumentError("corpus.uri: parameter deletes_at= is empty");
    o->deletes_at_column = v;
  } else {
    return TakePagingParam(key, v, 1000000, &o->batch_rows, &o->overlap_s, &o->retry_s);
  }
  return true;
}

std::string KindName(PgKind k) {
  switch (k) {
    case PgKind::kText:
      return "text";
    case PgKind::kInteger:
      return "integer";
    case PgKind::kUuid:
      return "uuid";
    case PgKind::kTimestampTz:
    case PgKind::kTimestamp:
      return "timestamp";
    case PgKind::kDate:
      return "date";
    case PgKind::kBool:
      return "boolean";
    case PgKind::kOther:
      break;
  }
  return "other";
}

bool IsTime(PgKind k) {
  return k == PgKind::kTimestampTz || k == PgKind::kTimestamp || k == PgKind::kDate;
}

}  // namespace

absl::StatusOr<PostgresOptions> ParsePostgresUri(std::string_view uri, const RecordSchema& schema) {
  PostgresOptions o;
  o.id_columns = schema.id_fields;
  o.text_columns = schema.text_fields;
  o.modified_at_column = schema.modified_at_field;
  o.deleted_column = schema.deleted_field;
  if (!uri.starts_with("postgres://") && !uri.starts_with("postgresql://")) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: '{}' is not a postgres:// URI", RedactUri(uri)));
  }
  o.display = RedactUri(uri);
  auto rest = TakeParams(uri, [&](std::string_view key, const std::string& value) {
    return ApplyParameter(key, value, &o);
  });
  if (!rest.ok()) return rest.status();
  o.conninfo = std::move(*rest);
  return o;
}

PgKind PgKindOfType(uint32_t oid) {
  switch (oid) {
    case 25:    // text
    case 1043:  // varchar
    case 1042:  // bpchar
    case 19:    // name
      return PgKind::kText;
    case 20:  // int8
    case 21:  // int2
    case 23:  // int4
      return PgKind::kInteger;
    case 2950:
      return PgKind::kUuid;
    case 1184:
      return PgKind::kTimestampTz;
    case 1114:
      return PgKind::kTimestamp;
    case 1082:
      return PgKind::kDate;
    case 16:
      return PgKind::kBool;
    default:
      return PgKind::kOther;
  }
}

absl::StatusOr<PgLayout> CheckColumns(const PostgresOptions& o,
                                      const std::vector<PgColumn>& columns,
                                      std::string_view table) {
  auto find = [&](std::string_view name) -> const PgColumn* {
    for (const PgColumn& c : columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  auto wrong = [&](const PgColumn& c, std::string_view role, std::string_view allowed) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: column {} of table {} is {} ({}); as the {} it must be {}", c.name,
                    table, c.type, KindName(c.kind), role, allowed));
  };
  auto missing = [&](std::string_view name, std::string_view role, std::string_view param) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: table {} has no column {} (the {}; name another with {}=)", table,
                    name, role, param));
  };
  PgLayout layout;
  const PgColumn* id = nullptr;
  for (const std::string& name : o.id_columns) {
    if ((id = find(name)) != nullptr) break;
  }
  if (id == nullptr) {
    return missing(fmt::format("{}", fmt::join(o.id_columns, " or ")), "document id", "id");
  }
  if (id->kind != PgKind::kText && id->kind != PgKind::kInteger && id->kind != PgKind::kUuid) {
    return wrong(*id, "document id", "text, an integer or a uuid");
  }
  layout.id = *id;
  for (const std::string& name : o.text_columns) {
    const PgColumn* c = find(name);
    if (c == nullptr) return missing(name, "text field", "text");
    if (c->kind != PgKind::kText) return wrong(*c, "text field", "text, varchar or char");
    layout.text.push_back(*c);
  }
  if (!o.modified_at_column.empty()) {
    const PgColumn* c = find(o.modified_at_column);
    if (c == nullptr) return missing(o.modified_at_column, "modified_at watermark", "modified_at");
    if (!IsTime(c->kind) && c->kind != PgKind::kInteger) {
      return wrong(*c, "modified_at watermark", "a timestamp, a date or an epoch integer");
    }
    layout.modified_at = *c;
  }
  if (!o.deleted_column.empty()) {
    const PgColumn* c = find(o.deleted_column);
    if (c == nullptr) return missing(o.deleted_column, "deleted flag", "deleted");
    if (c->kind != PgKind::kBool && c->kind != PgKind::kInteger) {
      return wrong(*c, "deleted flag", "a boolean or an integer 0/1");
    }
    layout.deleted = *c;
  }
  return layout;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  for (std::string_view part : Split(name, '.', false)) {
    if (!out.empty()) out += '.';
    out += '"';
    for (char c : part) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

std::string MillisExpression(const PgColumn& c) {
  const std::string q = QuoteIdentifier(c.name);
  if (c.kind == PgKind::kInteger) return q + "::int8";
  return fmt::format("floor(extract(epoch from {}) * 1000)::int8", q);
}

PgQuery PageQuery(const PgScan& scan, const PgPageBounds& b, size_t limit) {
  PgQuery out;
  std::vector<std::string> where;
  if (!scan.filter.empty()) where.push_back(scan.filter);
  auto param = [&](std::string value, const std::string& type) {
    out.params.push_back(std::move(value));
    return fmt::format("${}::{}", out.params.size(), type);
  };
  const std::string id = QuoteIdentifier(scan.id.name);
  // ORDER BY names the table's columns, not the select list's (whose items may carry the same
  // names, e.g. an integer modified_at selected as itself).
  std::string order_by = scan.table + "." + id;
  std::string key = id + "::text";
  if (scan.order) {
    const std::string col = QuoteIdentifier(scan.order->name);
    const std::string& type = scan.order->type;
    order_by = scan.table + "." + col + ", " + scan.table + "." + id;
    key += ", " + col + "::text";
    if (!b.after_id.empty()) {
      const std::string o = param(b.after_order, type);
      where.push_back(
          fmt::format("({}, {}) > ({}, {})", col, id, o, param(b.after_id, scan.id.type)));
    } else if (!b.from_order.empty()) {
      if (scan.order->kind == PgKind::kInteger) {
        int64_t v = 0;
        std::from_chars(b.from_order.data(), b.from_order.data() + b.from_order.size(), v);
        const int64_t unit = v >= int64_t{100000000000} ? 1000 : 1;
        where.push_back(
            fmt::format("{} >= {}", col, param(std::to_string(v - b.overlap_s * unit), "int8")));
      } else {
        const std::string from = param(b.from_order, type);
        where.push_back(fmt::format("{} >= ({} - {} * interval '1 second')", col, from,
                                    param(std::to_string(b.overlap_s), "int8")));
      }
    }
    if (!b.to_order.empty()) where.push_back(fmt::format("{} <= {}", col, param(b.to_order, type)));
  } else if (!b.after_id.empty()) {
    where.push_back(fmt::format("{} > {}", id, param(b.after_id, scan.id.type)));
  }
  std::string select = fmt::format("{}", fmt::join(scan.select, ", "));
  if (!select.empty()) select += ", ";
  out.sql = fmt::format("SELECT {}{} FROM {}", select, key, scan.table);
  if (!where.empty()) out.sql += fmt::format(" WHERE {}", fmt::join(where, " AND "));
  out.sql += fmt::format(" ORDER BY {} LIMIT {}", order_by, limit);
  return out;
}

std::string EncodeKeyset(std::string_view order, std::string_view id) {
  return fmt::format("v1 {}:{}{}:{}", order.size(), order, id.size(), id);
}

std::optional<std::pair<std::string, std::string>> DecodeKeyset(std::string_view v) {
  if (!v.starts_with("v1 ")) return std::nullopt;
  v.remove_prefix(3);
  std::string parts[2];
  for (std::string& part : parts) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end == v.data() + v.size() || *end != ':') return std::nullopt;
    v.remove_prefix(static_cast<size_t>(end - v.data()) + 1);
    if (n > v.size()) return std::nullopt;
    part = std::string(v.substr(0, n));
    v.remove_prefix(n);
  }
  if (!v.empty()) return std::nullopt;
  return std::make_pair(std::move(parts[0]), std::move(parts[1]));
}

}  // namespace nightjar
