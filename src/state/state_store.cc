#include "state/state_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>

#include "count/field_cache.h"
#include "count/term_cap.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "rocksdb/write_buffer_manager.h"
#include "state/count_merge.h"
#include "util/status_macros.h"
#include "xxhash.h"

namespace nightjar {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kIdentityKey = "identity";
constexpr std::string_view kTotalsKey = "totals";
constexpr std::string_view kGenerationKey = "generation";  // in the totals column
// Column families, in the order of StateStore's handles.
constexpr const char* kFamilies[] = {"default",   "terms",   "totals", "abbreviations",
                                     "documents", "cursors", "ids"};

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

// The ids column's key of `id`: its DocumentIdHash big-endian (so keys sort by hash), then the
// id itself (so two ids sharing a hash keep a key each).
std::string IdKey(std::string_view id) {
  const uint64_t h = DocumentIdHash(id);
  std::string key(8 + id.size(), '\0');
  for (int i = 0; i < 8; ++i) key[static_cast<size_t>(i)] = static_cast<char>(h >> (56 - 8 * i));
  std::copy(id.begin(), id.end(), key.begin() + 8);
  return key;
}

// The ids column's value of a record: its kind, then its term of StateStore::IdIndex::digest
// (a hash of the id and of what the mining passes replay: the content and its truncation).
std::string IdValue(std::string_view id, const DocRecord& r) {
  std::string value(9, '\0');
  value[0] = r.deleted ? 'd' : 'l';
  const uint64_t seed = r.fingerprint ^ (r.truncated ? 0x9e3779b97f4a7c15 : 0);
  const uint64_t term = XXH3_64bits_withSeed(id.data(), id.size(), seed);
  for (size_t i = 0; i < 8; ++i) value[1 + i] = static_cast<char>(term >> (8 * i));  // LE
  return value;
}

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = fmt::format("state: {}: {}", what, s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  return absl::UnavailableError(msg);
}

std::array<int64_t, 6> TotalsArray(const CorpusTotals& t, int sign) {
  auto s = [sign](uint64_t v) { return sign * static_cast<int64_t>(v); };
  return {s(t.documents), s(t.deleted),    s(t.truncated),
          s(t.tokens),    s(t.text_bytes), s(t.long_tokens_skipped)};
}

// A count read back: every element non-negative.
absl::StatusOr<std::vector<int64_t>> ReadCounts(std::string_view key, std::string_view value,
                                                size_t width) {
  auto counts = DecodeCounts(value);
  if (!counts || counts->size() != width) {
    return absl::DataLossError(fmt::format("state: malformed count for '{}'", key));
  }
  for (int64_t c : *counts) {
    if (c < 0) return absl::DataLossError(fmt::format("state: negative count for '{}'", key));
  }
  return *counts;
}

}  // namespace

StateBatch::StateBatch(const StateStore* store)
    : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
StateBatch::~StateBatch() = default;
StateBatch::StateBatch(StateBatch&&) noexcept = default;
StateBatch& StateBatch::operator=(StateBatch&&) noexcept = default;

void StateBatch::AddCounts(const TermTable& terms, const CorpusTotals& totals,
                           const AbbreviationCounts& abbreviations, int sign) {
  terms.ForEach([&](std::string_view term, const TermStats& s) {
    const int64_t v[] = {sign * static_cast<int64_t>(s.frequency),
                         sign * static_cast<int64_t>(s.doc_frequency)};
    batch_->Merge(store_->terms_, ToSlice(term), EncodeCounts(v));
  });
  batch_->Merge(store_->totals_, ToSlice(kTotalsKey), EncodeCounts(TotalsArray(totals, sign)));
  for (const auto& [key, n] : abbreviations) {
    const int64_t v[] = {sign * static_cast<int64_t>(n)};
    batch_->Merge(store_->abbreviations_, key, EncodeCounts(v));
  }
}

void StateBatch::PutDocument(std::string_view id, const DocRecord& record) {
  batch_->Put(store_->documents_, ToSlice(id), record.Encode());
  batch_->Put(store_->ids_, IdKey(id), IdValue(id, record));
}

void StateBatch::EraseDocument(std::string_view id) {
  batch_->Delete(store_->documents_, ToSlice(id));
  batch_->Delete(store_->ids_, IdKey(id));
}

void StateBatch::PutCursor(std::string_view key, std::string_view value) {
  batch_->Put(store_->cursors_, ToSlice(key), ToSlice(value));
}

void StateBatch::PutMeta(std::string_view key, std::string_view value) {
  batch_->Put(store_->meta_, ToSlice(key), ToSlice(value));
}

void StateBatch::BumpGeneration() {
  const int64_t one[] = {1};
  batch_->Merge(store_->totals_, ToSlice(kGenerationKey), EncodeCounts(one));
}

size_t StateBatch::size() const { return static_cast<size_t>(batch_->Count()); }

StateStore::StateStore(StateOptions options) : options_(std::move(options)) {}

StateStore::~StateStore() {
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  if (db_) (void)db_->Close();
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const StateOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("state: no path given");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("state: cannot create {}: {}", options.path, ec.message()));
  }
  std::unique_ptr<StateStore> s(new StateStore(options));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // The small count columns would otherwise keep every write-ahead log of the documents'
  // writes alive until they fill a memtable of their own.
  db_options.max_total_wal_size = 256 << 20;
  db_options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  std::optional<size_t> write_buffer;
  if (options.memory_bytes > 0) {
    db_options.write_buffer_manager =
        std::make_shared<rocksdb::WriteBufferManager>(options.memory_bytes / 2);
    table.block_cache = rocksdb::NewLRUCache(options.memory_bytes / 4);
    write_buffer = std::max<size_t>(options.memory_bytes / 8, size_t{1} << 20);
  }
  auto column = [&]() {
    rocksdb::ColumnFamilyOptions o;
    if (write_buffer) o.write_buffer_size = *write_buffer;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return o;
  };
  rocksdb::ColumnFamilyOptions counts = column();
  counts.merge_operator = std::make_shared<CountMergeOperator>();
  rocksdb::ColumnFamilyOptions documents = column();
  documents.compression = rocksdb::kZSTD;
  // Most lookups in a first run are of ids the state does not have: a bloom filter answers
  // them without reading a block.
  rocksdb::BlockBasedTableOptions document_table = table;
  document_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  documents.table_factory.reset(rocksdb::NewBlockBasedTableFactory(document_table));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilies) {
    const std::string_view n = name;
    const bool is_counts = n == "terms" || n == "totals" || n == "abbreviations";
    families.emplace_back(name, is_counts ? counts : (n == "documents" ? documents : column()));
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(db_options, options.path, families, &s->handles_, &db);
  if (!st.ok()) {
    if (st.IsIOError() && st.ToString().find("lock") != std::string::npos) {
      std::string owner;
      std::ifstream(options.path + "/OWNER") >> owner;
      return absl::FailedPreconditionError(
          fmt::format("state {} is in use by another refresh{} ({})", options.path,
                      owner.empty() ? "" : " (pid " + owner + ")", st.ToString()));
    }
    return FromRocks(st, "open " + options.path);
  }
  s->db_.reset(db);
  s->meta_ = s->handles_[0];
  s->terms_ = s->handles_[1];
  s->totals_ = s->handles_[2];
  s->abbreviations_ = s->handles_[3];
  s->documents_ = s->handles_[4];
  s->cursors_ = s->handles_[5];
  s->ids_ = s->handles_[6];
  NJ_RETURN_IF_ERROR(s->CheckFormat());
  std::ofstream(options.path + "/OWNER", std::ios::trunc) << ::getpid() << "\n";
  return s;
}

absl::Status StateStore::Destroy(const std::string& path) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  rocksdb::Status st = rocksdb::DestroyDB(path, rocksdb::Options());
  if (!st.ok()) {
    return absl::FailedPreconditionError(
        fmt::format("state: cannot discard {}: {}", path, st.ToString()));
  }
  return absl::OkStatus();
}

absl::Status StateStore::CheckFormat() {
  std::string format, identity;
  rocksdb::Status st = db_->Get({}, meta_, ToSlice(kFormatKey), &format);
  if (st.IsNotFound()) {
    // A new state (or one whose creation died before this write): nothing else can be in it.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, documents_));
    it->SeekToFirst();
    if (it->Valid()) return absl::DataLossError("state: documents present but no format record");
    rocksdb::WriteBatch b;
    b.Put(meta_, ToSlice(kFormatKey), ToSlice(kStateFormat));
    b.Put(meta_, ToSlice(kIdentityKey), ToSlice(options_.identity));
    rocksdb::WriteOptions w;
    w.sync = options_.sync;
    return FromRocks(db_->Write(w, &b), "write format");
  }
  NJ_RETURN_IF_ERROR(FromRocks(st, "read format"));
  if (format != kStateFormat) {
    return absl::FailedPreconditionError(
        fmt::format("state {} has format '{}', this build reads '{}': rebuild it with --full",
                    options_.path, format, kStateFormat));
  }
  NJ_RETURN_IF_ERROR(FromRocks(db_->Get({}, meta_, ToSlice(kIdentityKey), &identity), "identity"));
  if (identity != options_.identity) {
    return absl::FailedPreconditionError(
        fmt::format("state {} was made with other settings ({}), not ({}): rebuild it with --full",
                    options_.path, identity, options_.identity));
  }
  return absl::OkStatus();
}

absl::Status StateStore::Commit(StateBatch& batch) {
  rocksdb::WriteOptions w;
  w.sync = options_.sync && options_.wal;
  w.disableWAL = !options_.wal;
  NJ_RETURN_IF_ERROR(FromRocks(db_->Write(w, batch.batch_.get()), "commit"));
  batch.batch_->Clear();
  return absl::OkStatus();
}

absl::Status StateStore::Flush() {
  rocksdb::FlushOptions f;
  f.wait = true;
  return FromRocks(db_->Flush(f, handles_), "flush");
}

absl::StatusOr<std::optional<DocRecord>> StateStore::GetDocument(std::string_view id) const {
  std::string bytes;
  rocksdb::Status st = db_->Get({}, documents_, ToSlice(id), &bytes);
  if (st.IsNotFound()) return std::optional<DocRecord>();
  NJ_RETURN_IF_ERROR(FromRocks(st, "read document"));
  NJ_ASSIGN_OR_RETURN(DocRecord r, DocRecord::Decode(bytes));
  return std::optional<DocRecord>(std::move(r));
}

absl::Status StateStore::ForEachDocument(
    const std::function<void(std::string_view, const DocRecord&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, documents_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    NJ_ASSIGN_OR_RETURN(DocRecord r, DocRecord::Decode(it->value().ToStringView()));
    fn(it->key().ToStringView(), r);
  }
  return FromRocks(it->status(), "scan documents");
}

absl::StatusOr<bool> StateStore::ReadDocuments(
    std::string_view after, size_t max_bytes,
    std::vector<std::pair<std::string, DocRecord>>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, documents_));
  it->Seek(ToSlice(after));
  if (it->Valid() && !after.empty() && it->key().ToStringView() == after) it->Next();
  size_t bytes = 0;
  for (; it->Valid() && (bytes == 0 || bytes < max_bytes); it->Next()) {
    NJ_ASSIGN_OR_RETURN(DocRecord r, DocRecord::Decode(it->value().ToStringView()));
    bytes += it->key().size() + it->value().size();
    out->emplace_back(it->key().ToString(), std::move(r));
  }
  NJ_RETURN_IF_ERROR(FromRocks(it->status(), "scan documents"));
  return it->Valid();
}

absl::StatusOr<std::optional<std::string>> StateStore::GetCursor(std::string_view key) const {
  std::string value;
  rocksdb::Status st = db_->Get({}, cursors_, ToSlice(key), &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  NJ_RETURN_IF_ERROR(FromRocks(st, "read cursor"));
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<std::optional<std::string>> StateStore::GetMeta(std::string_view key) const {
  std::string value;
  rocksdb::Status st = db_->Get({}, meta_, ToSlice(key), &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  NJ_RETURN_IF_ERROR(FromRocks(st, "read meta"));
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<uint64_t> StateStore::Generation() const {
  std::string value;
  rocksdb::Status st = db_->Get({}, totals_, ToSlice(kGenerationKey), &value);
  if (st.IsNotFound()) return uint64_t{0};
  NJ_RETURN_IF_ERROR(FromRocks(st, "read generation"));
  NJ_ASSIGN_OR_RETURN(auto g, ReadCounts(kGenerationKey, value, 1));
  return static_cast<uint64_t>(g[0]);
}

absl::StatusOr<StateStore::IdIndex> StateStore::ReadIdIndex() const {
  IdIndex out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, ids_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const std::string_view value = it->value().ToStringView();
    if (key.size() < 8 || value.size() != 9 || (value[0] != 'l' && value[0] != 'd')) {
      return absl::DataLossError(fmt::format("state {}: malformed id index entry", options_.path));
    }
    uint64_t h = 0;
    for (size_t i = 0; i < 8; ++i) h = h << 8 | static_cast<uint8_t>(key[i]);
    if (value[0] == 'd') {
      out.deleted.push_back(h);
      continue;
    }
    out.live.push_back(h);
    uint64_t term = 0;
    for (size_t i = 0; i < 8; ++i) term |= uint64_t{static_cast<uint8_t>(value[1 + i])} << (8 * i);
    out.digest += term;  // a sum: the same whatever order the documents came in
  }
  NJ_RETURN_IF_ERROR(FromRocks(it->status(), "scan ids"));
  return out;
}

absl::StatusOr<CorpusCounts> StateStore::LoadCounts(uint64_t max_terms) const {
  CorpusCounts out;
  out.abbreviations_counted = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, terms_));
  auto scan = [&](const auto& fn) -> absl::Status {
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view term = it->key().ToStringView();
      NJ_ASSIGN_OR_RETURN(auto c, ReadCounts(term, it->value().ToStringView(), 2));
      if (c[0] == 0 && c[1] == 0) continue;
      fn(term, TermStats{static_cast<uint64_t>(c[0]), static_cast<uint64_t>(c[1])});
    }
    return FromRocks(it->status(), "scan terms");
  };
  NJ_ASSIGN_OR_RETURN(KeptTerms kept, LoadMostFrequent(scan, max_terms));
  out.terms = std::move(kept.terms);
  out.distinct_terms = kept.distinct;
  out.min_kept_frequency = kept.min_kept;
  it.reset(db_->NewIterator({}, abbreviations_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    NJ_ASSIGN_OR_RETURN(auto c, ReadCounts(key, it->value().ToStringView(), 1));
    if (c[0] != 0) out.abbreviations.Add(key, static_cast<uint64_t>(c[0]));
  }
  NJ_RETURN_IF_ERROR(FromRocks(it->status(), "scan abbreviations"));
  std::string totals;
  rocksdb::Status st = db_->Get({}, totals_, ToSlice(kTotalsKey), &totals);
  if (!st.IsNotFound()) {
    NJ_RETURN_IF_ERROR(FromRocks(st, "read totals"));
    NJ_ASSIGN_OR_RETURN(auto t, ReadCounts(kTotalsKey, totals, 6));
    out.totals = CorpusTotals{static_cast<uint64_t>(t[0]), static_cast<uint64_t>(t[1]),
                              static_cast<uint64_t>(t[2]), static_cast<uint64_t>(t[3]),
                              static_cast<uint64_t>(t[4]), static_cast<uint64_t>(t[5])};
  }
  return out;
}

}  // namespace nightjar
