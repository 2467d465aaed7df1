// RedisStore against a real redis-server: the LexiconStore contract, the documented key layout,
// namespaces, ACL authentication, corruption, and Redis dying in the middle of an export.
#include "store/redis_store.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "redis_server.h"
#include "store/store_contract_test.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

INSTANTIATE_TEST_SUITE_P(Redis, StoreContractTest, ::testing::Values([] {
                           return SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
                         }),
                         [](const auto&) { return std::string("store"); });

std::unique_ptr<RedisConnection> Raw(const std::string& uri) {
  auto e = ParseRedisUri(uri);
  EXPECT_TRUE(e.ok());
  auto c = RedisConnection::Connect(*e);
  EXPECT_TRUE(c.ok()) << c.status();
  return std::move(*c);
}

TEST(RedisStoreTest, KeyLayoutIsPlainHashesOfJsonRecords) {
  const std::string ns = UniqueNamespace();
  const std::string uri = SharedRedisBase() + "/0?namespace=" + ns;
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok()) << store.status();
  auto b = (*store)->Begin(Day(2026, 11, 23));
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Append("spelling", "search", R"({"word":"search","frequency":9})").ok());
  ASSERT_TRUE((*b)->Append("corrections", "serch", R"({"variant":"serch","word":"search"})").ok());
  auto files = (*b)->Seal();
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  ASSERT_TRUE(Activate(**store, "v1.20261123", Day(2026, 11, 23)).ok());

  // What any client would do: GET the pointer, HGET one key per token.
  auto raw = Raw(uri);
  const std::string p = "nightjar:" + ns + ":";
  EXPECT_EQ((*raw->Command({"GET", p + "current"})).str(), "v1.20261123");
  EXPECT_EQ((*raw->Command({"HGET", p + "v:v1.20261123:lex:corrections", "serch"})).str(),
            R"({"variant":"serch","word":"search"})");
  EXPECT_EQ((*raw->Command({"HGET", p + "v:v1.20261123:lex:spelling", "search"})).str(),
            R"({"word":"search","frequency":9})");
  EXPECT_THAT(std::string((*raw->Command({"GET", p + "v:v1.20261123:manifest"})).str()),
              HasSubstr("nightjar-manifest"));
  EXPECT_THAT(std::string((*raw->Command({"HGET", p + "versions", "v1.20261123"})).str()),
              HasSubstr("\"active\""));
  EXPECT_EQ((*raw->Command({"LLEN", p + "audit"})).integer(), 1);
  // The builder's lock is released.
  EXPECT_TRUE((*raw->Command({"GET", p + "lock"})).is_nil());

  // Another namespace on the same server sees nothing of it.
  auto other = LexiconStore::Open(SharedRedisBase() + "/0?namespace=" + UniqueNamespace());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Current()->has_value());
  EXPECT_TRUE((*other)->List()->empty());
}

TEST(RedisStoreTest, KeysWithBinaryAndCommandCharactersAreStoredVerbatim) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  auto b = (*store)->Begin(Day(2026, 11, 23));
  const std::string nasty = std::string("a b\r\nDEL *\0%s", 14);
  ASSERT_TRUE((*b)->Append("spelling", nasty, R"({"word":"x"})").ok());
  auto files = (*b)->Seal();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*files)[0].records, 1u);
}

TEST(RedisStoreTest, CorruptedRecordFailsTheChecksum) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  std::string v = Commit(**store, Day(2026, 11, 23), {"alpha", "beta"});
  auto raw = Raw(uri);
  auto* rs = static_cast<RedisStore*>(store->get());
  ASSERT_TRUE(raw->Command({"HSET", rs->keys().lexicon(v, "spelling"), "alpha", "{}"}).ok());
  absl::Status st;
  SortedRecords(**store, v, &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
}

TEST(RedisStoreTest, AclUserAndPasswordAuthenticate) {
  const std::string base = SharedRedisBase();
  auto admin = Raw(base + "/0");
  const std::string user = "nj" + UniqueNamespace();
  ASSERT_TRUE(admin->Command({"ACL", "SETUSER", user, "on", ">s3cr%t", "~*", "&*", "+@all"}).ok());
  const std::string hostport = base.substr(std::string("redis://").size());
  auto ok = LexiconStore::Open("redis://" + user + ":s3cr%25t@" + hostport +
                               "/0?namespace=" + UniqueNamespace());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE((*ok)->List().ok());
  auto bad = LexiconStore::Open("redis://" + user + ":wrong@" + hostport + "/0");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kPermissionDenied) << bad.status();
  ASSERT_TRUE(admin->Command({"ACL", "DELUSER", user}).ok());
}

// Writes `n` spelling records through a builder with small batches.
absl::Status Fill(VersionBuilder& b, int from, int to) {
  for (int i = from; i < to; ++i) {
    const std::string w = absl::StrCat("w", i);
    absl::Status st = b.Append("spelling", w, absl::StrCat("{\"word\":\"", w, "\"}"));
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

RedisStoreOptions SmallBatches() {
  RedisStoreOptions o;
  o.batch_bytes = 4096;
  o.fields_per_command = 50;
  return o;
}

absl::StatusOr<std::unique_ptr<RedisStore>> OpenRedis(const std::string& uri) {
  auto e = ParseRedisUri(uri);
  if (!e.ok()) return e.status();
  return RedisStore::Open(*e, SmallBatches());
}

TEST(RedisStoreTest, BulkLexiconIsPackedIntoChunksAndReadBackWhole) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  RedisStoreOptions o = SmallBatches();
  o.bulk_chunk_bytes = 200;
  auto store = RedisStore::Open(*ParseRedisUri(uri), o);
  ASSERT_TRUE(store.ok());
  auto b = (*store)->Begin(Day(2026, 11, 23));
  ASSERT_TRUE(b.ok());
  for (int i = 0; i < 1000; ++i) {
    const std::string w = "w" + std::to_string(i);
    ASSERT_TRUE((*b)->Append("vocabulary", w,
                             R"({"word":")" + w + R"(","frequency":)" + std::to_string(i) + "}")
                    .ok());
  }
  auto files = (*b)->Seal();
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*files)[0].records, 1000u);
  ASSERT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  auto raw = Raw(uri);
  const long long chunks =
      (*raw->Command({"HLEN", (*store)->keys().lexicon((*b)->version(), "vocabulary")})).integer();
  EXPECT_GT(chunks, 50);
  EXPECT_LT(chunks, 200);
  std::vector<std::string> records;
  ASSERT_TRUE((*store)
                  ->ScanLexicon((*b)->version(), "vocabulary",
                                [&](std::string_view r) { records.emplace_back(r); })
                  .ok());
  EXPECT_EQ(records.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(records.begin(), records.end()).size(), 1000u);
}

TEST(RedisCrashTest, RestartWithDataMidExportRetriesAndFinishes) {
  RedisServer server(/*persistent=*/true);
  ASSERT_TRUE(server.Start());
  const std::string uri = server.Uri("crash", "&retries=8&backoff_ms=50");
  auto store = OpenRedis(uri);
  ASSERT_TRUE(store.ok()) << store.status();
  std::string v1 = Commit(**store, Day(2026, 11, 22), {"old"});
  ASSERT_TRUE(Activate(**store, v1, Day(2026, 11, 22)).ok());

  auto b = (*store)->Begin(Day(2026, 11, 23));
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(Fill(**b, 0, 3000).ok());
  server.Kill();           // mid-export: the builder's next batch finds the connection dead
  bool restarted = false;  // read after the join
  std::thread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    restarted = server.Start();
  });
  absl::Status st = Fill(**b, 3000, 6000);
  restart.join();
  ASSERT_TRUE(restarted);
  ASSERT_TRUE(st.ok()) << st;
  auto files = (*b)->Seal();
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*files)[0].records, 6000u);
  ASSERT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  EXPECT_EQ(**(*store)->Current(), v1);  // never active before activation
  ASSERT_TRUE(Activate(**store, (*b)->version(), Day(2026, 11, 23)).ok());
  absl::Status scan;
  EXPECT_EQ(SortedRecords(**store, (*b)->version(), &scan).size(), 6000u);
  EXPECT_TRUE(scan.ok()) << scan;
}

TEST(RedisCrashTest, RedisDownThroughRetriesFailsCleanlyAndNextRunSucceeds) {
  RedisServer server(/*persistent=*/true);
  ASSERT_TRUE(server.Start());
  const std::string uri = server.Uri("down", "&retries=2&backoff_ms=20&connect_timeout_ms=200");
  auto store = OpenRedis(uri);
  ASSERT_TRUE(store.ok());
  std::string v1 = Commit(**store, Day(2026, 11, 22), {"old"});
  ASSERT_TRUE(Activate(**store, v1, Day(2026, 11, 22)).ok());
  std::string half;
  {
    auto b = (*store)->Begin(Day(2026, 11, 23));
    ASSERT_TRUE(b.ok());
    half = (*b)->version();
    ASSERT_TRUE(Fill(**b, 0, 2000).ok());
    server.Kill();
    absl::Status st = Fill(**b, 2000, 4000);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  }  // the failed run ends; its builder can't clean up with Redis down
  ASSERT_TRUE(server.Start());
  // The half-written version is not current and not listed.
  auto again = OpenRedis(uri);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(**(*again)->Current(), v1);
  EXPECT_THAT(Names(*(*again)->List()), ::testing::ElementsAre(v1));
  // The lease of the dead builder's lock must run out before the next Begin; use a short one.
  auto raw = Raw(uri);
  ASSERT_TRUE(raw->Command({"DEL", "nightjar:down:lock"}).ok());
  std::string v2 = Commit(**again, Day(2026, 11, 23), {"new"});
  EXPECT_EQ(v2, half);  // the leftover was removed and its name reused
  ASSERT_TRUE(Activate(**again, v2, Day(2026, 11, 23)).ok());
  absl::Status scan;
  EXPECT_EQ(SortedRecords(**again, v2, &scan).size(), 1u);  // none of the half version's records
  EXPECT_TRUE(scan.ok()) << scan;
}

TEST(RedisCrashTest, RestartWithoutDataAbortsInsteadOfPublishingAPartialVersion) {
  RedisServer server(/*persistent=*/false);
  ASSERT_TRUE(server.Start());
  const std::string uri = server.Uri("amnesia", "&retries=8&backoff_ms=50");
  auto store = OpenRedis(uri);
  ASSERT_TRUE(store.ok());
  {
    auto b = (*store)->Begin(Day(2026, 11, 23));
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(Fill(**b, 0, 2000).ok());
    server.Kill();
    ASSERT_TRUE(server.Start());  // back, but empty
    absl::Status st = Fill(**b, 2000, 4000);
    if (st.ok()) st = (*b)->Seal().status();
    EXPECT_EQ(st.code(), absl::StatusCode::kAborted) << st;
  }
  EXPECT_FALSE((*store)->Current()->has_value());
  std::string v = Commit(**store, Day(2026, 11, 23), {"a", "b"});
  ASSERT_TRUE(Activate(**store, v, Day(2026, 11, 23)).ok());
  EXPECT_EQ(**(*store)->Current(), v);
}

}  // namespace
}  // namespace nightjar
