#include "serve/jobs_api.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include "queue/job_progress.h"
#include "schedule/schedule_store.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "worker/jobs.h"

namespace nightjar {
namespace {

constexpr size_t kMaxIdle = 8;

int HttpCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:  // nothing to do (a KB with no such documents)
      return 409;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void Reply(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json, "application/json");
}

void Fail(httplib::Response& res, const absl::Status& s) {
  JsonWriter w;
  w.BeginObject().Key("error").String(std::string(s.message())).EndObject();
  Reply(res, HttpCode(s), w.Take());
}

absl::StatusOr<SubmitOptions> ParseSubmit(const std::string& body,
                                          const JobsApi::Selector& select) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return absl::InvalidArgumentError("the body is not JSON");
  SubmitOptions o;
  std::string_view type;
  if (root["type"].get_string().get(type)) {
    return absl::InvalidArgumentError("\"type\" (a task type) is required");
  }
  o.type = std::string(type);
  simdjson::dom::array docs;
  std::string_view kb, selection;
  const bool by_selector = root["kb"].get_string().get(kb) == simdjson::SUCCESS;
  if (!by_selector && root["docs"].get_array().get(docs)) {
    return absl::InvalidArgumentError(
        "\"docs\" (an array of document ids), or \"kb\" and \"select\", is required");
  }
  if (!by_selector) {
    for (simdjson::dom::element d : docs) {
      std::string_view id;
      if (d.get_string().get(id)) {
        return absl::InvalidArgumentError("a document id is not a string");
      }
      o.docs.emplace_back(id);
    }
  }
  uint64_t batch = 0;
  if (!root["batch_size"].get_uint64().get(batch)) o.batch_size = batch;
  std::string_view priority;
  if (!root["priority"].get_string().get(priority)) {
    auto p = ParsePriority(priority);
    if (!p.ok()) return p.status();
    o.priority = *p;
  }
  // The job's options, carried by each task: a reextract job's domain, cleanup and version.
  simdjson::dom::object options;
  if (root["options"].get_object().get(options) == simdjson::SUCCESS) {
    for (auto [key, value] : options) {
      std::string_view v;
      if (value.get_string().get(v)) {
        return absl::InvalidArgumentError("\"options\" values must be strings");
      }
      o.options.emplace(std::string(key), std::string(v));
    }
  }
  if (by_selector) {
    if (root["select"].get_string().get(selection) ||
        (selection != "all" && selection != "outdated")) {
      return absl::InvalidArgumentError("\"select\" must be \"all\" or \"outdated\" with \"kb\"");
    }
    if (!select) {
      return absl::InvalidArgumentError(
          "this server cannot select documents (no database configured); send \"docs\"");
    }
    NJ_ASSIGN_OR_RETURN(o.docs,
                        select(o.type, std::string(kb), selection == "outdated", o.options));
  }
  return o;
}

// A schedule from a PUT body: {"cron","zone"?,"task","args"?,"enabled"?}.
absl::StatusOr<Schedule> ParseScheduleBody(const std::string& name, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return absl::InvalidArgumentError("the body is not JSON");
  Schedule s;
  s.name = name;
  std::string_view v;
  if (root["cron"].get_string().get(v)) return absl::InvalidArgumentError("\"cron\" is required");
  s.cron = std::string(v);
  if (root["task"].get_string().get(v)) return absl::InvalidArgumentError("\"task\" is required");
  s.task = std::string(v);
  if (root["zone"].get_string().get(v) == simdjson::SUCCESS) s.zone = std::string(v);
  simdjson::dom::array args;
  if (root["args"].get_array().get(args) == simdjson::SUCCESS) {
    for (simdjson::dom::element a : args) {
      if (a.get_string().get(v)) return absl::InvalidArgumentError("\"args\" must be strings");
      s.args.emplace_back(v);
    }
  }
  bool enabled = true;
  if (root["enabled"].get_bool().get(enabled) == simdjson::SUCCESS) s.enabled = enabled;
  return s;
}

}  // namespace

void JobsApi::AddScheduleRoutes(httplib::Server& srv, Authorize authorize) {
  srv.Get("/v1/schedules", Route(authorize,
                                 [](const httplib::Request&, httplib::Response& res,
                                    RedisConnection* c) -> absl::Status {
                                   ScheduleStore store(c);
                                   NJ_ASSIGN_OR_RETURN(std::vector<Schedule> all, store.List());
                                   std::string out = "[";
                                   for (const Schedule& s : all)
                                     out += (out.size() > 1 ? "," : "") + EncodeSchedule(s);
                                   Reply(res, 200, out + "]");
                                   return absl::OkStatus();
                                 }));
  srv.Put(R"(/v1/schedules/([A-Za-z0-9_.-]+))",
          Route(authorize,
                [](const httplib::Request& req, httplib::Response& res,
                   RedisConnection* c) -> absl::Status {
                  NJ_ASSIGN_OR_RETURN(Schedule s, ParseScheduleBody(req.matches[1], req.body));
                  ScheduleStore store(c);
                  NJ_RETURN_IF_ERROR(store.Put(s));
                  NJ_ASSIGN_OR_RETURN(Schedule saved, store.Get(s.name));
                  Reply(res, 200, EncodeSchedule(saved));
                  return absl::OkStatus();
                }));
  srv.Post(R"(/v1/schedules/([A-Za-z0-9_.-]+)/(enable|disable))",
           Route(authorize,
                 [](const httplib::Request& req, httplib::Response& res,
                    RedisConnection* c) -> absl::Status {
                   ScheduleStore store(c);
                   NJ_RETURN_IF_ERROR(store.SetEnabled(req.matches[1], req.matches[2] == "enable"));
                   NJ_ASSIGN_OR_RETURN(Schedule s, store.Get(req.matches[1]));
                   Reply(res, 200, EncodeSchedule(s));
                   return absl::OkStatus();
                 }));
  srv.Delete(R"(/v1/schedules/([A-Za-z0-9_.-]+))",
             Route(authorize,
                   [](const httplib::Request& req, httplib::Response& res,
                      RedisConnection* c) -> absl::Status {
                     ScheduleStore store(c);
                     NJ_RETURN_IF_ERROR(store.Remove(req.matches[1]));
                     JsonWriter w;
                     w.BeginObject().Key("removed").String(std::string(req.matches[1])).EndObject();
                     Reply(res, 200, w.Take());
                     return absl::OkStatus();
                   }));
}

// A pooled connection, given back when the request is done (unless it broke).
class JobsApi::Lease {
 public:
  Lease(JobsApi* api, std::unique_ptr<RedisConnection> c) : api_(api), conn_(std::move(c)) {}
  ~Lease() {
    if (conn_ && !conn_->broken()) api_->Give(std::move(conn_));
  }
  RedisConnection* get() { return conn_.get(); }

 private:
  JobsApi* api_;
  std::unique_ptr<RedisConnection> conn_;
};

JobsApi::~JobsApi() = default;

absl::StatusOr<std::unique_ptr<JobsApi>> JobsApi::Open(const std::string& redis_uri,
                                                       Selector select) {
  NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(redis_uri));
  std::unique_ptr<JobsApi> api(new JobsApi(endpoint, std::move(select)));
  NJ_ASSIGN_OR_RETURN(auto conn, api->Take());
  api->Give(std::move(conn));
  return api;
}

absl::StatusOr<std::unique_ptr<RedisConnection>> JobsApi::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return RedisConnection::Connect(endpoint_);
}

void JobsApi::Give(std::unique_ptr<RedisConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
}

std::function<void(const httplib::Request&, httplib::Response&)> JobsApi::Route(Authorize authorize,
                                                                                Body body) {
  return [this, authorize, body](const httplib::Request& req, httplib::Response& res) {
    if (!authorize(req, res)) return;
    auto conn = Take();
    if (!conn.ok()) return Fail(res, conn.status());
    Lease lease(this, std::move(*conn));
    absl::Status st = body(req, res, lease.get());
    if (!st.ok()) Fail(res, st);
  };
}

void JobsApi::AddRoutes(httplib::Server& srv, Authorize authorize) {
  AddScheduleRoutes(srv, authorize);
  auto route = [this, authorize](Body body) { return Route(authorize, std::move(body)); };
  srv.Post("/v1/jobs", route([this](const httplib::Request& req, httplib::Response& res,
                                    RedisConnection* c) -> absl::Status {
             NJ_ASSIGN_OR_RETURN(SubmitOptions o, ParseSubmit(req.body, select_));
             NJ_ASSIGN_OR_RETURN(SubmitResult r, SubmitJob(c, o));
             JsonWriter w;
             w.BeginObject().Key("job").String(r.job).Key("queue").String(r.queue);
             w.Key("documents").Uint(r.documents).Key("tasks").Uint(r.tasks).EndObject();
             Reply(res, 201, w.Take());
             return absl::OkStatus();
           }));
  srv.Get("/v1/jobs", route([](const httplib::Request&, httplib::Response& res,
                               RedisConnection* c) -> absl::Status {
            NJ_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListJobs(c));
            std::string out = "[";
            for (const std::string& id : ids) {
              JobProgress p(c, id);
              auto s = p.Status();
              if (!s.ok()) continue;
              if (out.size() > 1) out += ",";
              out += JobStatusJson(*s);
            }
            Reply(res, 200, out + "]");
            return absl::OkStatus();
          }));
  srv.Get(R"(/v1/jobs/([A-Za-z0-9_.-]+))",
          route([](const httplib::Request& req, httplib::Response& res,
                   RedisConnection* c) -> absl::Status {
            JobProgress p(c, req.matches[1]);
            NJ_ASSIGN_OR_RETURN(JobStatus s, p.Status());
            Reply(res, 200, JobStatusJson(s));
            return absl::OkStatus();
          }));
  srv.Post(R"(/v1/jobs/([A-Za-z0-9_.-]+)/cancel)",
           route([](const httplib::Request& req, httplib::Response& res,
                    RedisConnection* c) -> absl::Status {
             JobProgress p(c, req.matches[1]);
             NJ_RETURN_IF_ERROR(p.Cancel());
             NJ_ASSIGN_OR_RETURN(JobStatus s, p.Status());
             Reply(res, 200, JobStatusJson(s));
             return absl::OkStatus();
           }));
  srv.Post(R"(/v1/jobs/([A-Za-z0-9_.-]+)/retry-failed)",
           route([](const httplib::Request& req, httplib::Response& res,
                    RedisConnection* c) -> absl::Status {
             NJ_ASSIGN_OR_RETURN(size_t n, RetryFailed(c, std::string(req.matches[1])));
             Reply(res, 200, fmt::format("{{\"requeued\":{}}}", n));
             return absl::OkStatus();
           }));
}

}  // namespace nightjar
