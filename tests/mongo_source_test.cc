// The MongoDB source end to end. No MongoDB server can be installed on the project's machines,
// so the tests that need one run against NIGHTJAR_TEST_MONGODB_URI (a database they may write
// to, e.g. mongodb://127.0.0.1:27017/nightjar_test) and otherwise report themselves skipped.
#include "corpus/mongo_source.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>

namespace nightjar {
namespace {

using ::testing::HasSubstr;

TEST(MongoSourceOpenTest, AServerThatIsNotThereFailsFast) {
  SourceOptions o;
  o.uri = "mongodb://127.0.0.1:1/db?serverSelectionTimeoutMS=300&connectTimeoutMS=300";
  RejectLog log;
  auto s = MongoSource::Open(o, &log);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsUnavailable(s.status())) << s.status();
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("cannot reach the server"));
}

class MongoSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("NIGHTJAR_TEST_MONGODB_URI");
    if (uri == nullptr) {
      GTEST_SKIP() << "no MongoDB server: set NIGHTJAR_TEST_MONGODB_URI (a database the test may "
                      "write to) to run it";
    }
    base_ = uri;
    collection_ = "documents_" + std::to_string(::getpid());
    bson_error_t error;
    mongoc_init();
    client_ = mongoc_client_new(base_.c_str());
    ASSERT_NE(client_, nullptr);
    mongoc_uri_t* parsed = mongoc_uri_new_with_error(base_.c_str(), &error);
    ASSERT_NE(parsed, nullptr) << error.message;
    database_ = mongoc_uri_get_database(parsed) ? mongoc_uri_get_database(parsed) : "";
    mongoc_uri_destroy(parsed);
    ASSERT_FALSE(database_.empty()) << "NIGHTJAR_TEST_MONGODB_URI must name a database";
    coll_ = mongoc_client_get_collection(client_, database_.c_str(), collection_.c_str());
    mongoc_collection_drop(coll_, nullptr);
  }
  void TearDown() override {
    if (coll_ != nullptr) {
      mongoc_collection_drop(coll_, nullptr);
      mongoc_collection_destroy(coll_);
    }
    if (client_ != nullptr) mongoc_client_destroy(client_);
  }

  void Insert(const std::string& json) {
    bson_error_t error;
    BsonPtr doc(bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &error));
    ASSERT_NE(doc, nullptr) << error.message;
    ASSERT_TRUE(mongoc_collection_insert_one(coll_, doc.get(), nullptr, nullptr, &error))
        << error.message;
  }

  std::string Uri(const std::string& params = "") const {
    const std::string sep = base_.find('?') == std::string::npos ? "?" : "&";
    return base_ + sep + "collection=" + collection_ + "&batch=7" + params;
  }

  struct Read {
    std::vector<std::string> ids;
    std::map<std::string, Document> docs;  // views dropped; times and flags kept
    std::vector<SourceCursor> cursors;
  };
  Read ReadAll(const std::string& uri, std::map<std::string, std::string>* stored, RejectLog& log,
               ShardSpec shard = {}) {
    Read out;
    SourceOptions o;
    o.uri = uri;
    o.shard = shard;
    if (stored != nullptr) {
      o.resume = [stored](const std::string& key) -> std::optional<std::string> {
        auto it = stored->find(key);
        if (it == stored->end()) return std::nullopt;
        return it->second;
      };
    }
    auto source = MongoSource::Open(o, &log);
    EXPECT_TRUE(source.ok()) << source.status();
    if (!source.ok()) return out;
    for (;;) {
      auto batch = (*source)->Next();
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || *batch == nullptr) break;
      (*batch)->ForEach(
          [&](const Document& d) {
            out.ids.emplace_back(d.id);
            Document kept;
            kept.modified_at_ms = d.modified_at_ms;
            kept.deleted = d.deleted;
            out.docs[std::string(d.id)] = kept;
          },
          log);
      for (SourceCursor& c : (*source)->TakeFinishedCursors()) out.cursors.push_back(std::move(c));
    }
    return out;
  }

  std::string base_, database_, collection_;
  mongoc_client_t* client_ = nullptr;
  mongoc_collection_t* coll_ = nullptr;
};

TEST_F(MongoSourceTest, ReadsEveryDocumentOnceAcrossTiesAndTypes) {
  for (int i = 0; i < 40; ++i) {
    Insert(fmt::format(R"({{"_id": "d{:02}", "title": "t {}", "body": "b", "modified_at": )"
                       R"({{"$date": {{"$numberLong": "{}"}}}}, "deleted": {}}})",
                       i, i, 1700000000000 + (i / 4) * 1000, i % 10 == 9 ? "true" : "false"));
  }
  Insert(R"({"_id": "no-time", "title": "x"})");
  Insert(R"({"_id": "number-time", "title": "x", "modified_at": 1700000000})");
  Insert(R"({"_id": "bad", "title": 5, "modified_at": {"$date": {"$numberLong": "1"}}})");
  RejectLog log;
  Read r = ReadAll(Uri(), nullptr, log);
  EXPECT_EQ(r.ids.size(), 42u);
  EXPECT_EQ(std::set<std::string>(r.ids.begin(), r.ids.end()).size(), 42u);
  EXPECT_EQ(log.count(RejectReason::kFieldNotString), 1u);
  EXPECT_TRUE(r.docs["d09"].deleted);
  EXPECT_EQ(r.docs["d05"].modified_at_ms, 1700000001000);
  EXPECT_EQ(r.docs["number-time"].modified_at_ms, 1700000000000);  // read by the untimed scan
  EXPECT_TRUE(r.cursors.empty());
}

TEST_F(MongoSourceTest, ShardsSplitTheDocumentsByIdHashEachReadOnce) {
  for (int i = 0; i < 60; ++i) {
    Insert(fmt::format(R"({{"_id": "d{:02}", "title": "t", "modified_at": )"
                       R"({{"$date": {{"$numberLong": "{}"}}}}}})",
                       i, 1700000000000 + i * 1000));
  }
  Insert(R"({"_id": "no-time", "title": "x"})");
  std::map<std::string, int> seen;
  for (uint32_t i = 0; i < 3; ++i) {
    RejectLog log;
    Read r = ReadAll(Uri(), nullptr, log, ShardSpec{i, 3});
    EXPECT_GT(r.ids.size(), 5u) << "shard " << i;
    for (const std::string& id : r.ids) ++seen[id];
  }
  EXPECT_EQ(seen.size(), 61u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
}

TEST_F(MongoSourceTest, ResumesAnOverlapBeforeItsCursor) {
  for (int i = 0; i < 30; ++i) {
    Insert(fmt::format(R"({{"_id": "d{:02}", "title": "t", "modified_at": )"
                       R"({{"$date": {{"$numberLong": "{}"}}}}}})",
                       i, 1700000000000 + i * 60000));
  }
  std::map<std::string, std::string> stored;
  RejectLog log;
  Read first = ReadAll(Uri("&overlap_s=120"), &stored, log);
  ASSERT_EQ(first.ids.size(), 30u);
  ASSERT_FALSE(first.cursors.empty());
  for (const SourceCursor& c : first.cursors) stored[c.key] = c.value;
  // The last document is at minute 29: a late write at minute 28 is inside the overlap.
  Insert(
      R"({"_id": "late", "title": "t", "modified_at": {"$date": {"$numberLong": "1700001680000"}}})");
  Insert(
      R"({"_id": "new", "title": "t", "modified_at": {"$date": {"$numberLong": "1800000000000"}}})");
  Read second = ReadAll(Uri("&overlap_s=120"), &stored, log);
  EXPECT_TRUE(second.docs.contains("late"));
  EXPECT_TRUE(second.docs.contains("new"));
  EXPECT_TRUE(second.docs.contains("d27"));
  EXPECT_FALSE(second.docs.contains("d20"));
}

}  // namespace
}  // namespace nightjar
