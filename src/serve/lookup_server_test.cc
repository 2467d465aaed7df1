// The lookup service over a directory store: snapshot loading and the endpoints, no Redis.
#include "serve/lookup_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lexicon/records.h"
#include "serve/snapshot.h"
#include "store/store_test_util.h"
#include "util/json_writer.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

// A version with one word of each kind; lexicons in `empty` are declared with no records.
std::string MakeVersion(LexiconStore& store, const std::vector<std::string>& empty = {}) {
  auto b = store.Begin(Day(2026, 11, 23));
  EXPECT_TRUE(b.ok()) << b.status();
  const std::string v = (*b)->version();
  auto add = [&](std::string_view lex, std::string_view key, const std::string& rec) {
    if (std::find(empty.begin(), empty.end(), lex) != empty.end()) return;
    EXPECT_TRUE((*b)->Append(lex, key, rec).ok());
  };
  add("vocabulary", "alpha", VocabularyRecord{"alpha", 100}.ToJson());
  add("vocabulary", "beta", VocabularyRecord{"beta", 50}.ToJson());
  add("corrections", "alpah", CorrectionRecord{"alpah", "alpha", 0.9, v}.ToJson());
  add("expansions", "alpha", ExpansionRecord{"alpha", {{"first", 0.9}}, 5, v}.ToJson());
  add("related", "alpha", RelatedRecord{"alpha", {{"beta", 0.5}}, v, "t"}.ToJson());
  for (std::string_view name : kAllLexicons) EXPECT_TRUE((*b)->Declare(name).ok());
  auto files = (*b)->Seal();
  EXPECT_TRUE(files.ok());
  EXPECT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  EXPECT_TRUE(Activate(store, v, Day(2026, 11, 23)).ok());
  return v;
}

class LookupServerTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& empty = {}, ServeOptions o = Options()) {
    uri_ = "dir:" + dir_.Sub("store");
    auto store = LexiconStore::Open(uri_);
    ASSERT_TRUE(store.ok());
    version_ = MakeVersion(**store, empty);
    auto server = LookupServer::Start(o, [uri = uri_] { return LexiconStore::Open(uri); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  static ServeOptions Options() {
    ServeOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 4;
    return o;
  }
  // GETs `path` and parses the body, which must always be valid UTF-8 JSON.
  simdjson::dom::element Get(const std::string& path, int* status) {
    auto r = client_->Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    *status = r->status;
    body_ = r->body;
    EXPECT_TRUE(IsValidUtf8(body_)) << body_;
    simdjson::dom::element e;
    EXPECT_FALSE(parser_.parse(body_).get(e)) << body_;
    return e;
  }

  TempDir dir_;
  std::string uri_, version_, body_;
  std::unique_ptr<LookupServer> server_;
  std::unique_ptr<httplib::Client> client_;
  simdjson::dom::parser parser_;
};

TEST_F(LookupServerTest, CorrectsExpandsAndRelates) {
  Start();
  int status = 0;
  auto c = Get("/v1/correct?q=alpah%20beta", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(std::string_view(c["corrected"]), "alpha beta");
  EXPECT_EQ(std::string_view(c["version"]), version_);
  auto e = Get("/v1/expand?q=alpah", &status);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body_, HasSubstr(R"("term":"first")"));
  auto r = Get("/v1/related?term=Alpha", &status);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body_, HasSubstr(R"("term":"beta")"));
  Get("/v1/correct", &status);
  EXPECT_EQ(status, 400);
}

TEST_F(LookupServerTest, InvalidUtf8QueryIsRefusedWithValidJson) {
  Start();
  int status = 0;
  auto e = Get("/v1/correct?q=%ff%fe%c3abc", &status);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(std::string(std::string_view(e["error"])), HasSubstr("not valid UTF-8"));
  Get("/v1/expand?q=ok%c3", &status);
  EXPECT_EQ(status, 400);
}

TEST_F(LookupServerTest, AVersionWithEmptyLexiconsIsServed) {
  Start({"expansions", "related", "corrections"});
  int status = 0;
  auto c = Get("/v1/correct?q=alpah", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(std::string_view(c["corrected"]), "alpha");  // by edit distance alone
  Get("/v1/expand?q=alpha", &status);
  EXPECT_EQ(status, 200);
}

// A raw TCP connection to the server, closed when destroyed.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

 private:
  int fd_;
  bool connected_ = false;
};

TEST_F(LookupServerTest, SlowClientsDoNotStarveOthers) {
  // Four request threads. Before the fix, each connection that sent nothing held one for the
  // keep-alive timeout (5 s) and the backlog of 5 dropped the rest: a new request waited 6.7 s.
  Start();
  std::vector<std::unique_ptr<RawConnection>> idle, partial;
  for (int i = 0; i < 40; ++i) {  // connected, never a byte
    idle.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  for (int i = 0; i < 3; ++i) {  // half a request line, then silence: each holds a thread
    partial.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(partial.back()->connected());
    ASSERT_TRUE(partial.back()->Send("GET /v1/vers"));
  }
  // The client gives up after 3 s, longer than any one read may take and far longer than an
  // answer from a free thread: each request must be answered by the fourth thread.
  client_->set_connection_timeout(3);
  client_->set_read_timeout(3);
  for (int i = 0; i < 5; ++i) {
    auto r = client_->Get("/v1/version");
    ASSERT_TRUE(r) << "request " << i << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
  }
}

TEST(ServeOptionsTest, BacklogAndKeepAliveDefaultsBoundSlowClients) {
  const ServeOptions o;
  EXPECT_EQ(o.threads, 64);
  EXPECT_EQ(o.keep_alive_s, 2);
  EXPECT_EQ(o.keep_alive_requests, 100);
  EXPECT_EQ(o.backlog, 1024);
}

TEST(SnapshotTest, LookupJsonEchoesInvalidUtf8AsReplacementCharacters) {
  TempDir dir;
  auto store = LexiconStore::Open("dir:" + dir.Sub("s"));
  ASSERT_TRUE(store.ok());
  const std::string v = MakeVersion(**store);
  auto snap = Snapshot::Load(**store, v, CorrectorOptions{});
  ASSERT_TRUE(snap.ok()) << snap.status();
  const std::string json = (*snap)->LookupJson(
      "\xff\xfe\xc3"
      "abc alpah");
  EXPECT_TRUE(IsValidUtf8(json));
  EXPECT_THAT(json, HasSubstr("\"query\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                              "abc alpah\""));
  EXPECT_THAT(json, HasSubstr(R"("corrected":"abc alpha")"));
}

// A version whose bigrams put "science" after "the", and whose learned error model makes a
// plain deletion cheap.
std::string MakeContextVersion(LexiconStore& store) {
  auto b = store.Begin(Day(2026, 11, 24));
  EXPECT_TRUE(b.ok()) << b.status();
  const std::string v = (*b)->version();
  for (const auto& [w, f] : std::vector<std::pair<std::string, uint64_t>>{{"the", 50000},
                                                                          {"since", 1500},
                                                                          {"science", 300},
                                                                          {"perch", 1000},
                                                                          {"search", 100},
                                                                          {"filler", 5000000}}) {
    EXPECT_TRUE((*b)->Append("vocabulary", w, VocabularyRecord{w, f}.ToJson()).ok());
  }
  EXPECT_TRUE((*b)->Append("bigrams", "the", BigramRecord{"the", {{"science", 40}}}.ToJson()).ok());
  ErrorModel learned = ErrorModel::Default();
  learned[EditClass::kOtherDrop] = 0.25;
  for (size_t k = 0; k < kEditClasses; ++k) {
    const std::string_view edit = EditClassName(static_cast<EditClass>(k));
    EXPECT_TRUE(
        (*b)->Append("error_model", edit, ErrorModelRecord{edit, learned.cost[k], 10, v}.ToJson())
            .ok());
  }
  for (std::string_view name : kAllLexicons) EXPECT_TRUE((*b)->Declare(name).ok());
  auto files = (*b)->Seal();
  EXPECT_TRUE(files.ok());
  EXPECT_TRUE((*b)->Commit(TestManifest(*files), VersionState::kValidated, "").ok());
  return v;
}

TEST(SnapshotTest, CorrectsInContextWithTheVersionsErrorModel) {
  TempDir dir;
  auto store = LexiconStore::Open("dir:" + dir.Sub("s"));
  ASSERT_TRUE(store.ok());
  const std::string v = MakeContextVersion(**store);
  auto snap = Snapshot::Load(**store, v, CorrectorOptions{});
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->Correct("the scince").corrected, "the science");
  EXPECT_EQ((*snap)->Correct("scince").corrected, "since");
  EXPECT_EQ((*snap)->Correct("serch").corrected, "search");  // a deletion is cheap here
  CorrectorOptions plain;
  plain.context_weight = 0;
  plain.learned_errors = false;
  auto alone = Snapshot::Load(**store, v, plain);
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ((*alone)->Correct("the scince").corrected, "the since");
  EXPECT_EQ((*alone)->Correct("serch").corrected, "perch");
}

}  // namespace
}  // namespace nightjar
