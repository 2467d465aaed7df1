#ifndef NIGHTJAR_CORPUS_MONGO_QUERY_H_
#define NIGHTJAR_CORPUS_MONGO_QUERY_H_

// The pure parts of the MongoDB source: its URI, the filters and options of its keyset pages,
// the encoding of its cursors and the mapping from BSON to documents. No server is needed for
// any of them.

#include <bson/bson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/document.h"
#include "corpus/jsonl_parser.h"
#include "corpus/reject.h"

namespace nightjar {

struct BsonDeleter {
  void operator()(bson_t* b) const { bson_destroy(b); }
};
using BsonPtr = std::unique_ptr<bson_t, BsonDeleter>;

// `b` as canonical extended JSON (for messages, tests and cursors).
std::string BsonToJson(const bson_t* b);

// A `mongodb://` (or `mongodb+srv://`) corpus. Every field has a default.
struct MongoOptions {
  std::string uri;       // the URI without nightjar's parameters, as libmongoc takes it
  std::string display;   // the URI with credentials redacted, for messages
  std::string database;  // the URI's path; required
  std::string collection = "documents";  // `collection=`
  std::string id_field = "_id";          // `id=`: unique and indexed with modified_at
  std::vector<std::string> text_fields = {"title", "body"};  // `text=a,b`
  std::string modified_at_field = "modified_at";  // `modified_at=`; "" = every run reads all
  std::string deleted_field = "deleted";          // `deleted=`; "" = no soft-delete flag
  size_t batch = 1000;                            // `batch=`: documents per keyset page
  int64_t overlap_s = 300;  // `overlap_s=`: how far before its cursor a run starts reading
  double retry_s = 60;      // `retry_s=`: how long a lost connection is retried before failing
};

// Parses `uri`; text, modified_at and deleted fields default to the record schema's, and the
// URI's parameters override them. Parameters nightjar does not know are left for libmongoc.
// InvalidArgument names the parameter at fault.
[[nodiscard]] absl::StatusOr<MongoOptions> ParseMongoUri(std::string_view uri,
                                                         const RecordSchema& schema);

// Where a keyset scan stands. The scan orders by (modified_at, id) when it has a watermark
// type, by id alone otherwise.
struct MongoBounds {
  BsonPtr after;  // {m: <value>, id: <value>}: the last key handed out; null = none yet
  BsonPtr from;   // {m: <value>}: a resumed scan's first page starts at m >= value - overlap
  int64_t overlap_s = 0;
  BsonPtr to;  // {m: <value>}: the scan's upper bound (the largest m at the start)
};

// Which documents a scan reads.
struct MongoScan {
  std::string id_field;
  std::string order_field;  // "" = by id alone
  // The BSON type name the timed scan reads ("date", "number" or "string"); documents whose
  // order field has another type (or none) are read by the untimed scan, every run.
  std::string order_type = "date";
  bool untimed = false;  // the scan of documents without a usable order value
  // A sharded refresh's share: documents whose $toHashedIndexKey(id) % shard_count is
  // shard_index (MongoDB 7.0 or later); shard_count 1 reads them all.
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
};

// The filter and the options (sort, limit, projection) of one page.
BsonPtr PageFilter(const MongoScan& scan, const MongoBounds& bounds);
BsonPtr PageOptions(const MongoScan& scan, const MongoOptions& options, size_t limit);

// The BSON type bracket of a watermark value: "date", "number", "string", or "" for others.
std::string OrderTypeOf(const bson_iter_t& value);

// A cursor value: "v1 " + the canonical extended JSON of {m, id} (types kept). DecodeCursor
// returns null for anything else.
std::string EncodeCursor(const bson_t* key);
BsonPtr DecodeCursor(std::string_view value);

// Maps one BSON document to a Document whose views point into `doc` and `out` (text cut to
// `max_document_bytes`). On a bad record returns false with the reason and a detail naming the
// field.
struct MongoMapped {
  Document doc;
  std::vector<std::string_view> fields;
  std::string id_text;  // the id when it is not a string (ObjectId hex, a number)
  RejectReason reason = RejectReason::kInvalidJson;
  std::string detail;
};
bool MapDocument(const bson_t* doc, const MongoOptions& options, size_t max_document_bytes,
                 MongoMapped* out);

// {m: <value>, id: <value>} of `doc` (the key a page ends on); null when `doc` lacks the id.
BsonPtr KeyOf(const bson_t* doc, const MongoScan& scan);

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_MONGO_QUERY_H_
