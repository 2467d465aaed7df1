// `serve` under a concurrent query load while versions are activated and rolled back: zero
// failed requests, and every answer comes from exactly one version. Plus the service's bounds,
// admin auth and metrics. Real redis-server; real HTTP over loopback.
#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "redis_server.h"
#include "serve/lookup_server.h"
#include "store/store_test_util.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

// A version whose answers name it: "alpha" expands to "tag-<version>", "alpah" corrects to
// "alpha".
std::string TaggedVersion(LexiconStore& store, absl::Time now) {
  auto b = store.Begin(now);
  EXPECT_TRUE(b.ok()) << b.status();
  const std::string v = (*b)->version();
  auto add = [&](std::string_view lex, std::string_view key, const std::string& rec) {
    EXPECT_TRUE((*b)->Append(lex, key, rec).ok());
  };
  add("spelling", "alpha",
      R"({"word":"alpha","frequency":100,"doc_frequency":10,"variants":["alpah"],"version":")" + v +
          "\"}");
  add("spelling", "beta",
      R"({"word":"beta","frequency":50,"doc_frequency":5,"variants":[],"version":")" + v + "\"}");
  add("corrections", "alpah",
      R"({"variant":"alpah","word":"alpha","score":0.9,"version":")" + v + "\"}");
  add("expansions", "alpha",
      R"({"term":"alpha","expansions":[{"term":"tag-)" + v +
          R"(","score":0.9}],"max_expansions":3,"version":")" + v + "\"}");
  add("related", "alpha",
      R"({"word":"alpha","related_terms":[{"term":"beta","score":0.5}],"version":")" + v +
          R"(","last_updated":"x"})");
  auto files = (*b)->Seal();
  EXPECT_TRUE(files.ok());
  EXPECT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  return v;
}

// The HTTP status of a result, or -1 when the request failed (a null result is not dereferenced).
int StatusOf(const httplib::Result& r) { return r ? r->status : -1; }

ServeOptions TestServe() {
  ServeOptions o;
  o.listen = "127.0.0.1:0";
  o.admin_token = "s3cret";
  o.threads = 8;
  o.poll_ms = 1000;
  return o;
}

std::string ServedVersion(httplib::Client& c) {
  auto r = c.Get("/v1/version");
  if (!r || r->status != 200) return "";
  simdjson::dom::parser p;
  std::string_view v;
  if (p.parse(r->body).get_object()["version"].get(v)) return "";
  return std::string(v);
}

bool WaitForVersion(httplib::Client& c, const std::string& v) {
  for (int i = 0; i < 300; ++i) {
    if (ServedVersion(c) == v) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ServeSwapTest, NoFailedOrMixedAnswersAcross20SwitchesUnderLoad) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string a = TaggedVersion(**store, Day(2026, 11, 22));
  const std::string b = TaggedVersion(**store, Day(2026, 11, 23));
  ASSERT_TRUE(Activate(**store, a, Day(2026, 11, 23)).ok());

  auto server = LookupServer::Start(TestServe(), [uri] { return LexiconStore::Open(uri); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, mixed{0};
  std::mutex seen_mu;
  std::set<std::string> seen;
  std::vector<std::thread> clients;
  // Stops and joins the clients however this test returns: an ASSERT below must report a
  // failure, not end in std::terminate on a joinable thread.
  struct JoinClients {
    std::atomic<bool>& stop;
    std::vector<std::thread>& clients;
    ~JoinClients() {
      stop = true;
      for (auto& c : clients) {
        if (c.joinable()) c.join();
      }
    }
  } join_clients{stop, clients};
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      simdjson::dom::parser parser;
      const char* path = t % 2 == 0 ? "/v1/expand?q=alpah" : "/v1/correct?q=alpah%20beta";
      while (!stop) {
        auto r = c.Get(path);
        if (!r || r->status != 200) {
          ++failed;
          continue;
        }
        simdjson::dom::element e;
        std::string_view version, check;
        if (parser.parse(r->body).get(e) || e["version"].get(version)) {
          ++failed;
          continue;
        }
        bool consistent;
        if (t % 2 == 0) {
          // The corrected term's expansion is tagged with the version that answered.
          consistent = !e["terms"].at(0)["expansions"].at(0)["term"].get(check) &&
                       check == "tag-" + std::string(version);
        } else {
          consistent = !e["corrected"].get(check) && check == "alpha beta";
        }
        if (!consistent) ++mixed;
        ++ok;
        std::lock_guard<std::mutex> l(seen_mu);
        seen.emplace(version);
      }
    });
  }
  httplib::Client admin("127.0.0.1", port);
  for (int i = 0; i < 20; ++i) {
    const bool activate = i % 2 == 0;
    auto ev =
        Activate(**store, activate ? b : "", Day(2026, 11, 23), activate ? "activate" : "rollback");
    ASSERT_TRUE(ev.ok()) << ev.status();
    ASSERT_TRUE(WaitForVersion(admin, activate ? b : a)) << "switch " << i;
    // Let the load run on the new version for a while before the next switch.
    const int before = ok.load();
    for (int w = 0; w < 500 && ok.load() < before + 40; ++w) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  stop = true;
  for (auto& c : clients) c.join();  // before the counts are read
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_GT(ok.load(), 20 * 40);
  EXPECT_EQ(seen, (std::set<std::string>{a, b}));
  EXPECT_GE((*server)->live().swaps(), 20u);
}

TEST(ServeSwapTest, AdminEndpointsNeedTheTokenAndSwitchVersions) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  const std::string a = TaggedVersion(**store, Day(2026, 11, 22));
  const std::string b = TaggedVersion(**store, Day(2026, 11, 23));
  ASSERT_TRUE(Activate(**store, a, Day(2026, 11, 23)).ok());
  auto server = LookupServer::Start(TestServe(), [uri] { return LexiconStore::Open(uri); });
  ASSERT_TRUE(server.ok());
  httplib::Client c("127.0.0.1", (*server)->port());

  auto anon = c.Post("/v1/admin/activate?version=" + b);
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  httplib::Headers wrong = {{"Authorization", "Bearer nope"}};
  EXPECT_EQ(StatusOf(c.Post("/v1/admin/activate?version=" + b, wrong, "", "text/plain")), 401);
  httplib::Headers auth = {{"Authorization", "Bearer s3cret"}};
  auto act = c.Post("/v1/admin/activate?version=" + b, auth, "", "text/plain");
  ASSERT_TRUE(act);
  EXPECT_EQ(act->status, 200) << act->body;
  EXPECT_TRUE(WaitForVersion(c, b));
  EXPECT_EQ(StatusOf(c.Post("/v1/admin/activate?version=v1.20991231", auth, "", "text/plain")),
            404);
  auto back = c.Post("/v1/admin/rollback", auth, "", "text/plain");
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_TRUE(WaitForVersion(c, a));
  auto audit = (*store)->Audit(1);
  ASSERT_TRUE(audit.ok());
  EXPECT_THAT((*audit)[0].actor, HasSubstr("serve-admin@"));
  EXPECT_EQ((*audit)[0].action, "rollback");
}

TEST(ServeSwapTest, BoundsHealthAndMetrics) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  const std::string a = TaggedVersion(**store, Day(2026, 11, 22));
  ASSERT_TRUE(Activate(**store, a, Day(2026, 11, 23)).ok());
  ServeOptions o = TestServe();
  o.admin_token = "";
  o.max_query_bytes = 64;
  auto server = LookupServer::Start(o, [uri] { return LexiconStore::Open(uri); });
  ASSERT_TRUE(server.ok());
  httplib::Client c("127.0.0.1", (*server)->port());
  EXPECT_EQ(StatusOf(c.Get("/healthz")), 200);
  EXPECT_EQ(StatusOf(c.Get("/v1/correct")), 400);
  EXPECT_EQ(StatusOf(c.Get("/v1/correct?q=" + std::string(65, 'x'))), 413);
  auto rel = c.Get("/v1/related?term=Alpha");
  ASSERT_TRUE(rel);
  EXPECT_THAT(rel->body, HasSubstr(R"("term":"alpha","related_terms":[{"term":"beta")"));
  EXPECT_EQ(StatusOf(c.Post("/v1/admin/rollback")), 403);  // admin disabled without a token
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_THAT(m->body,
              HasSubstr(R"(nightjar_http_requests_total{endpoint="correct",code="4xx"} 2)"));
  EXPECT_THAT(m->body, HasSubstr(R"(nightjar_http_request_seconds_count{endpoint="related"} 1)"));
  EXPECT_THAT(m->body, HasSubstr("nightjar_snapshot_words 2"));
}

TEST(ServeSwapTest, DirStoreSwapsOnPointerRename) {
  TempDir dir;
  const std::string uri = "dir:" + dir.path();
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  const std::string a = TaggedVersion(**store, Day(2026, 11, 22));
  const std::string b = TaggedVersion(**store, Day(2026, 11, 23));
  ASSERT_TRUE(Activate(**store, a, Day(2026, 11, 23)).ok());
  auto server = LookupServer::Start(TestServe(), [uri] { return LexiconStore::Open(uri); });
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::Client c("127.0.0.1", (*server)->port());
  EXPECT_EQ(ServedVersion(c), a);
  ASSERT_TRUE(Activate(**store, b, Day(2026, 11, 23)).ok());
  EXPECT_TRUE(WaitForVersion(c, b));
}

TEST(ServeSwapTest, DroppedEventChannelIsCoveredByReconnectAndPolling) {
  RedisServer own;  // its own server: killing pub/sub clients must not disturb other tests
  ASSERT_TRUE(own.Start());
  const std::string uri = own.Uri("drop");
  auto store = LexiconStore::Open(uri);
  ASSERT_TRUE(store.ok());
  const std::string a = TaggedVersion(**store, Day(2026, 11, 22));
  const std::string b = TaggedVersion(**store, Day(2026, 11, 23));
  ASSERT_TRUE(Activate(**store, a, Day(2026, 11, 23)).ok());
  ServeOptions o = TestServe();
  o.poll_ms = 300;
  auto server = LookupServer::Start(o, [uri] { return LexiconStore::Open(uri); });
  ASSERT_TRUE(server.ok());
  httplib::Client c("127.0.0.1", (*server)->port());
  for (int round = 0; round < 3; ++round) {
    auto raw = RedisConnection::Connect(*ParseRedisUri(uri));
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE((*raw)->Command({"CLIENT", "KILL", "TYPE", "pubsub"}).ok());
    const std::string next = round % 2 == 0 ? b : a;
    ASSERT_TRUE(Activate(**store, next, Day(2026, 11, 23)).ok());
    EXPECT_TRUE(WaitForVersion(c, next)) << "round " << round;
  }
}

TEST(ServeSwapTest, NoActiveVersionFailsToStart) {
  const std::string uri = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
  auto server = LookupServer::Start(TestServe(), [uri] { return LexiconStore::Open(uri); });
  EXPECT_EQ(server.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nightjar
