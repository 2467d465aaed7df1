#ifndef NIGHTJAR_CORPUS_POSTGRES_QUERY_H_
#define NIGHTJAR_CORPUS_POSTGRES_QUERY_H_

// The pure parts of the PostgreSQL source: its URI, the checks on column types, the SQL of its
// keyset pages and the encoding of its cursors. No connection is needed for any of them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/jsonl_parser.h"

namespace nightjar {

// A `postgres://` (or `postgresql://`) corpus. Every field has a default.
struct PostgresOptions {
  std::string conninfo;             // the URI without nightjar's parameters, as libpq takes it
  std::string display;              // the URI with credentials redacted, for messages
  std::string table = "documents";  // `table=`: [schema.]table
  std::vector<std::string> id_columns = {"_id", "id"};        // `id=`: the first the table has wins
  std::vector<std::string> text_columns = {"title", "body"};  // `text=a,b`
  std::string modified_at_column = "modified_at";  // `modified_at=`; "" = every run reads all
  std::string deleted_column = "deleted";          // `deleted=`; "" = no soft-delete flag
  std::string deletes_table;                       // `deletes=`; "" = no hard-delete table
  std::string deletes_at_column = "deleted_at";    // `deletes_at=`: when the row was deleted
  size_t batch_rows = 5000;                        // `batch=`: rows per keyset page
  int64_t overlap_s = 300;  // `overlap_s=`: how far before its cursor a run starts reading
  double retry_s = 60;      // `retry_s=`: how long a lost connection is retried before failing
};

// Parses `uri`. Columns default to the record schema's fields (`schema`); the URI's parameters
// override them. Parameters nightjar does not know are left for libpq (sslmode, connect_timeout,
// application_name, ...). InvalidArgument names the parameter at fault.
[[nodiscard]] absl::StatusOr<PostgresOptions> ParsePostgresUri(std::string_view uri,
                                                               const RecordSchema& schema);

// What a column's type lets the source do with it.
enum class PgKind : uint8_t {
  kText,         // text, varchar, char, name
  kInteger,      // int2, int4, int8
  kUuid,         // uuid
  kTimestampTz,  // timestamp with time zone
  kTimestamp,    // timestamp without time zone (read as UTC)
  kDate,         // date
  kBool,         // boolean
  kOther,
};
PgKind PgKindOfType(uint32_t type_oid);

// A column of the table as the catalog describes it.
struct PgColumn {
  std::string name;
  PgKind kind = PgKind::kOther;
  std::string type;  // format_type(), e.g. "timestamp with time zone"
};

// The roles a table's columns play: which ones, with their types, checked by CheckColumns.
struct PgLayout {
  PgColumn id;
  std::vector<PgColumn> text;
  std::optional<PgColumn> modified_at;
  std::optional<PgColumn> deleted;
};

// Picks and checks the columns `options` names among `columns` (the table's, in any order).
// InvalidArgument names the table, the column and what is wrong with it: missing, or a type
// the role cannot take.
[[nodiscard]] absl::StatusOr<PgLayout> CheckColumns(const PostgresOptions& options,
                                                    const std::vector<PgColumn>& columns,
                                                    std::string_view table);

// `name` quoted as an SQL identifier ("a""b"); a dotted name quotes each part.
std::string QuoteIdentifier(std::string_view name);

// One keyset scan: pages of rows ordered by (order column, id), or by id alone.
struct PgScan {
  std::string table;                // quoted
  PgColumn id;                      // the keyset's last column
  std::optional<PgColumn> order;    // the keyset's first column; none = by id alone
  std::vector<std::string> select;  // the select list, before the order column's key text
  std::string filter;               // an extra condition ("" = none)
};

// Where a page starts and ends. Empty strings mean "no such bound".
struct PgPageBounds {
  std::string after_order, after_id;  // the last key handed out: rows strictly after it
  std::string from_order;             // a resumed scan's first page: order >= this minus overlap_s
  int64_t overlap_s = 0;  // seconds (for an integer column: in its unit, see EpochToMillis)
  std::string to_order;   // order <= this (the scan's upper bound)
};

// The SQL of one page and its parameters (text values, in order $1, $2, ...). The select list
// ends with the key: the id as text, then (with an order column) the order column as text.
struct PgQuery {
  std::string sql;
  std::vector<std::string> params;
};
PgQuery PageQuery(const PgScan& scan, const PgPageBounds& bounds, size_t limit);

// The SQL expression for a timestamp column's value in epoch milliseconds (floor); an integer
// column is returned as int8 and read as epoch seconds or milliseconds (EpochToMillis).
std::string MillisExpression(const PgColumn& column);

// A scan's cursor value: the last key read, as "v1 <len>:<order><len>:<id>". DecodeKeyset
// returns nullopt for anything else.
std::string EncodeKeyset(std::string_view order, std::string_view id);
std::optional<std::pair<std::string, std::string>> DecodeKeyset(std::string_view value);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_POSTGRES_QUERY_H_
