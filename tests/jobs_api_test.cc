// The job API over HTTP (serve/jobs_api.h) against a real redis-server: submit, status, list,
// cancel, retry-failed, errors, and the bearer token in front of every route.
#include "serve/jobs_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <thread>

#include "queue/task_queue.h"
#include "redis_server.h"
#include "worker/task_payload.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

class JobsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = SharedRedisBase() + "/0?namespace=" + UniqueNamespace();
    // A selector standing in for the CLI's database one: kb "kb1" has three documents, one of
    // them outdated.
    auto api = JobsApi::Open(
        uri_,
        [](const std::string& type, const std::string& kb, bool outdated,
           std::map<std::string, std::string>& o) -> absl::StatusOr<std::vector<std::string>> {
          if (kb != "kb1") return absl::FailedPreconditionError("no documents in kb '" + kb + "'");
          o["version"] = "7";
          if (outdated) return std::vector<std::string>{"d2"};
          return std::vector<std::string>{"d1", "d2", "d3"};
        });
    ASSERT_TRUE(api.ok()) << api.status();
    api_ = std::move(*api);
    api_->AddRoutes(server_, [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") == "Bearer s3cret") return true;
      res.status = 401;
      res.set_content("{\"error\":\"a valid bearer token is required\"}", "application/json");
      return false;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_default_headers({{"Authorization", "Bearer s3cret"}});
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  simdjson::dom::element Parse(const std::string& body) {
    bodies_.push_back(body);
    simdjson::dom::element e;
    EXPECT_FALSE(parser_.parse(bodies_.back()).get(e)) << body;
    return e;
  }

  std::string uri_;
  httplib::Server server_;
  std::unique_ptr<JobsApi> api_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  simdjson::dom::parser parser_;
  std::vector<std::string> bodies_;
};

TEST_F(JobsApiTest, SubmitStatusListCancel) {
  auto r = client_->Post("/v1/jobs",
                         R"({"type":"noop","docs":["a","b","c"],"batch_size":2,"priority":"high"})",
                         "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto submitted = Parse(r->body);
  const std::string job(submitted["job"].get_string().value());
  EXPECT_EQ(submitted["tasks"].get_uint64().value(), 2u);
  EXPECT_EQ(std::string(submitted["queue"].get_string().value()), "reprocessing");

  auto s = client_->Get("/v1/jobs/" + job);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  auto status = Parse(s->body);
  EXPECT_EQ(status["total"].get_uint64().value(), 3u);
  EXPECT_EQ(status["remaining"].get_uint64().value(), 3u);
  EXPECT_EQ(std::string(status["state"].get_string().value()), "running");

  auto list = client_->Get("/v1/jobs");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr(job));

  auto c = client_->Post("/v1/jobs/" + job + "/cancel", "", "application/json");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 200);
  EXPECT_THAT(c->body, HasSubstr("\"state\":\"cancelled\""));
  auto retry = client_->Post("/v1/jobs/" + job + "/retry-failed", "", "application/json");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->body, "{\"requeued\":0}");
}

TEST_F(JobsApiTest, AJobsOptionsTravelInEachTask) {
  auto r = client_->Post("/v1/jobs",
                         R"({"type":"reextract","docs":["a","b"],"batch_size":1,)"
                         R"("options":{"domain":"medical","cleanup":"merge"}})",
                         "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto endpoint = ParseRedisUri(uri_);
  ASSERT_TRUE(endpoint.ok());
  auto conn = RedisConnection::Connect(*endpoint);
  ASSERT_TRUE(conn.ok());
  QueueOptions qo;
  qo.prefetch = 2;
  auto queue = TaskQueue::Open(conn->get(), qo);
  ASSERT_TRUE(queue.ok());
  for (int i = 0; i < 2; ++i) {
    auto task = (*queue)->Take();
    ASSERT_TRUE(task.ok() && task->has_value());
    auto payload = ParsePayload((*task)->message.payload);
    ASSERT_TRUE(payload.ok()) << payload.status();
    EXPECT_EQ(payload->options,
              (std::map<std::string, std::string>{{"cleanup", "merge"}, {"domain", "medical"}}));
  }
  auto bad = client_->Post("/v1/jobs", R"({"type":"noop","docs":["a"],"options":{"x":1}})",
                           "application/json");
  EXPECT_EQ(bad->status, 400);
}

TEST_F(JobsApiTest, DocumentsBySelector) {
  auto r = client_->Post("/v1/jobs",
                         R"({"type":"reextract","kb":"kb1","select":"outdated",)"
                         R"("options":{"domain":"medical"}})",
                         "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Parse(r->body)["documents"].get_uint64().value(), 1u);
  auto all = client_->Post("/v1/jobs", R"({"type":"reextract","kb":"kb1","select":"all"})",
                           "application/json");
  EXPECT_EQ(Parse(all->body)["documents"].get_uint64().value(), 3u);
  auto bad = client_->Post("/v1/jobs", R"({"type":"reextract","kb":"kb1","select":"some"})",
                           "application/json");
  EXPECT_EQ(bad->status, 400);
  auto none = client_->Post("/v1/jobs", R"({"type":"reextract","kb":"kb9","select":"all"})",
                            "application/json");
  EXPECT_EQ(none->status, 409) << none->body;  // FailedPrecondition
  EXPECT_THAT(none->body, HasSubstr("no documents"));
}

TEST_F(JobsApiTest, SchedulesOverHttp) {
  auto put = client_->Put("/v1/schedules/nightly",
                          R"({"cron":"0 2 * * *","zone":"Europe/Berlin","task":"lexicon.refresh",)"
                          R"("args":["/etc/nightjar.toml"]})",
                          "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_THAT(put->body, HasSubstr(R"("zone":"Europe/Berlin")"));
  auto list = client_->Get("/v1/schedules");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr(R"("name":"nightly")"));
  auto off = client_->Post("/v1/schedules/nightly/disable", "", "application/json");
  ASSERT_TRUE(off);
  EXPECT_THAT(off->body, HasSubstr(R"("enabled":false)"));
  auto bad =
      client_->Put("/v1/schedules/x", R"({"cron":"0 2 * *","task":"noop"})", "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("fields"));
  auto unknown = client_->Put("/v1/schedules/x", R"({"cron":"0 2 * * *","task":"teleport"})",
                              "application/json");
  EXPECT_EQ(unknown->status, 400);
  auto del = client_->Delete("/v1/schedules/nightly");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(client_->Delete("/v1/schedules/nightly")->status, 404);
  // Behind the token like every route.
  httplib::Client anonymous("127.0.0.1", port_);
  EXPECT_EQ(anonymous.Get("/v1/schedules")->status, 401);
}

TEST_F(JobsApiTest, BadRequestsGetClearErrors) {
  auto no_type = client_->Post("/v1/jobs", R"({"docs":["a"]})", "application/json");
  EXPECT_EQ(no_type->status, 400);
  EXPECT_THAT(no_type->body, HasSubstr("type"));
  auto unknown =
      client_->Post("/v1/jobs", R"({"type":"teleport","docs":["a"]})", "application/json");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_THAT(unknown->body, HasSubstr("unknown task type"));
  auto priority = client_->Post("/v1/jobs", R"({"type":"noop","docs":["a"],"priority":"asap"})",
                                "application/json");
  EXPECT_EQ(priority->status, 400);
  auto not_json = client_->Post("/v1/jobs", "docs=a", "application/x-www-form-urlencoded");
  EXPECT_EQ(not_json->status, 400);
  auto missing = client_->Get("/v1/jobs/jnope");
  EXPECT_EQ(missing->status, 404);
}

TEST_F(JobsApiTest, EveryRouteNeedsTheToken) {
  httplib::Client anonymous("127.0.0.1", port_);
  EXPECT_EQ(anonymous.Get("/v1/jobs")->status, 401);
  EXPECT_EQ(
      anonymous.Post("/v1/jobs", R"({"type":"noop","docs":["a"]})", "application/json")->status,
      401);
  EXPECT_EQ(anonymous.Get("/v1/jobs/x")->status, 401);
  EXPECT_EQ(anonymous.Post("/v1/jobs/x/cancel", "", "application/json")->status, 401);
}

}  // namespace
}  // namespace nightjar
