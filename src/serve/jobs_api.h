#ifndef NIGHTJAR_SERVE_JOBS_API_H_
#define NIGHTJAR_SERVE_JOBS_API_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/redis_client.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace nightjar {

// The job operations of `nightjar jobs` over HTTP, hosted by `nightjar serve` when a queue
// Redis is configured (serve.queue_uri, else REDIS_URL), every route behind the admin token:
//   POST /v1/jobs                      {"type","docs":[...],"batch_size"?,"priority"?,
//                                       "options"?} -> 201; or "kb" and "select" for "docs"
//   GET  /v1/jobs                      the jobs whose progress has not expired, newest first
//   GET  /v1/jobs/ID                   the job's status (as `jobs status --json`)
//   POST /v1/jobs/ID/cancel            POST /v1/jobs/ID/retry-failed
// and the schedules of `nightjar schedule`:
//   GET    /v1/schedules               every schedule, by name
//   PUT    /v1/schedules/NAME          {"cron","zone"?,"task","args"?,"enabled"?} -> the record
//   POST   /v1/schedules/NAME/enable   POST /v1/schedules/NAME/disable
//   DELETE /v1/schedules/NAME
// Redis connections come from a small pool. Thread-safe.
class JobsApi {
 public:
  using Authorize = std::function<bool(const httplib::Request&, httplib::Response&)>;
  // Chooses a job's documents from a selector instead of a list: POST /v1/jobs with
  // {"type","kb","select":"all"|"outdated"} (reextract's --kb --all|--outdated); fills
  // `options` (the job's version) and returns the ids. Provided by the CLI, which has the
  // database's config; without one, such a request is 400.
  using Selector = std::function<absl::StatusOr<std::vector<std::string>>(
      const std::string& type, const std::string& kb, bool outdated,
      std::map<std::string, std::string>& options)>;

  // Connects once to check the URI and the server.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<JobsApi>> Open(const std::string& redis_uri,
                                                                     Selector select = nullptr);
  ~JobsApi();

  // Adds the routes; `authorize` answers 401/403 itself and returns false when a request may
  // not pass. The server must not outlive this.
  void AddRoutes(httplib::Server& server, Authorize authorize);

 private:
  JobsApi(RedisEndpoint endpoint, Selector select)
      : endpoint_(std::move(endpoint)), select_(std::move(select)) {}
  class Lease;
  using Body =
      std::function<absl::Status(const httplib::Request&, httplib::Response&, RedisConnection*)>;
  // A route's handler: authorizes, leases a connection, runs `body`, answers its error as JSON.
  std::function<void(const httplib::Request&, httplib::Response&)> Route(Authorize authorize,
                                                                         Body body);
  void AddScheduleRoutes(httplib::Server& server, Authorize authorize);
  absl::StatusOr<std::unique_ptr<RedisConnection>> Take();
  void Give(std::unique_ptr<RedisConnection> conn);

  const RedisEndpoint endpoint_;
  const Selector select_;
  std::mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // guarded by mu_
};

}  // namespace nightjar

#endif  // NIGHTJAR_SERVE_JOBS_API_H_
