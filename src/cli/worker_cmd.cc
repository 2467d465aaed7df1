#include "cli/worker_cmd.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/config.h"
#include "cli/refresh.h"
#include "queue/job_progress.h"
#include "queue/rate_limiter.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "util/uri.h"
#include "worker/jobs.h"
#include "worker/reextract_store.h"
#include "worker/worker.h"

namespace nightjar {
namespace {

absl::StatusOr<std::vector<std::pair<std::string, int>>> ParseQueues(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, int>> out;
  for (const std::string& s : specs) {
    const size_t colon = s.find(':');
    const std::string name = s.substr(0, colon);
    int weight = 1;
    if (colon != std::string::npos) weight = std::atoi(s.c_str() + colon + 1);
    if (name.empty() || weight < 1) {
      return absl::InvalidArgumentError(
          fmt::format("-Q {}: expected NAME or NAME:WEIGHT (>= 1)", s));
    }
    out.emplace_back(name, weight);
  }
  if (out.empty()) out.emplace_back("reprocessing", 1);
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadDocs(const std::string& path) {
  std::vector<std::string> docs;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) return absl::InvalidArgumentError(fmt::format("--docs {}: cannot open", path));
    in = &file;
  }
  for (std::string line; std::getline(*in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) docs.push_back(line);
  }
  return docs;
}

absl::Status Status(RedisConnection* conn, const JobsFlags& f, std::FILE* out) {
  if (f.args.size() != 1) return absl::InvalidArgumentError("jobs status: expected a job id");
  JobProgress p(conn, f.args[0]);
  for (;;) {
    NJ_ASSIGN_OR_RETURN(JobStatus s, p.Status());
    const bool ended = s.state != JobState::kRunning;
    if (f.json) {
      std::fprintf(out, "%s\n", JobStatusJson(s).c_str());
    } else if (f.watch && ::isatty(::fileno(out))) {
      std::fprintf(out, "\r\033[K%s", JobStatusLine(s).c_str());
    } else {
      std::fprintf(out, "%s\n", JobStatusLine(s).c_str());
    }
    std::fflush(out);
    if (!f.watch || ended) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (f.watch && !f.json && ::isatty(::fileno(out))) std::fprintf(out, "\n");
  return absl::OkStatus();
}

// Tells a job which stage its refresh is in.
class StageObserver : public RefreshObserver {
 public:
  explicit StageObserver(const std::function<void(std::string_view)>& on_stage)
      : on_stage_(on_stage) {}
  void StageBegun(std::string_view stage) override { on_stage_(stage); }

 private:
  const std::function<void(std::string_view)>& on_stage_;
};

// lexicon.refresh's runner: the config file (or none) with the environment, as `nightjar
// refresh --config FILE` would load it; returns the version it published.
absl::StatusOr<std::string> RunConfiguredRefresh(
    const std::string& config, const std::function<void(std::string_view)>& on_stage) {
  NJ_ASSIGN_OR_RETURN(Config c, LoadConfig(config, ProcessEnvironment(), {}));
  StageObserver observer(on_stage);
  NJ_ASSIGN_OR_RETURN(RefreshReport report, RunRefresh(c, true, *Clock::Real(), &observer));
  return report.version;
}

// The config `jobs` reads for reextract: --config, else NIGHTJAR_CONFIG, with the environment.
absl::StatusOr<Config> LoadJobsConfig(const JobsFlags& f) {
  std::string path = f.config_path;
  auto env = ProcessEnvironment();
  if (path.empty() && env.count("NIGHTJAR_CONFIG")) path = env["NIGHTJAR_CONFIG"];
  return LoadConfig(path, env, {});
}

// A reextract job's options, the same in each of its tasks: domain (checked against the
// configured ones), cleanup mode and the schema version its documents are brought to.
absl::Status ReextractJobOptions(const JobsFlags& f, const Config* config, SubmitOptions& o) {
  NJ_RETURN_IF_ERROR(ParseCleanupMode(f.cleanup_mode).status());
  Config loaded;
  if (config == nullptr) {
    NJ_ASSIGN_OR_RETURN(loaded, LoadJobsConfig(f));
    config = &loaded;
  }
  if (!config->reextract.domains.contains(f.domain)) {
    return absl::InvalidArgumentError(
        fmt::format("jobs submit reextract: --domain {} is not in [reextract.domains]", f.domain));
  }
  o.options = {{"domain", f.domain},
               {"cleanup", f.cleanup_mode},
               {"version", std::to_string(config->reextract.schema_version)}};
  return absl::OkStatus();
}

// `jobs submit reextract --kb KB (--all | --outdated)`: the documents from the documents table.
absl::Status SelectReextract(const JobsFlags& f, SubmitOptions& o) {
  if (f.kb.empty()) {
    return absl::InvalidArgumentError(
        "jobs submit reextract: --kb KB (or --docs FILE) is required");
  }
  if (f.all == f.outdated) {
    return absl::InvalidArgumentError("jobs submit reextract: give one of --all and --outdated");
  }
  NJ_ASSIGN_OR_RETURN(Config config, LoadJobsConfig(f));
  NJ_RETURN_IF_ERROR(ReextractJobOptions(f, &config, o));
  NJ_ASSIGN_OR_RETURN(o.docs, SelectReextractDocuments(config.reextract, f.kb, f.outdated));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SelectReextractDocuments(const ReextractOptions& ro,
                                                                  const std::string& kb,
                                                                  bool outdated) {
  NJ_ASSIGN_OR_RETURN(auto store, ReextractStore::Open(ro));
  NJ_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                      store->SelectDocuments(kb, outdated, ro.schema_version));
  if (ids.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("reextract: no {}documents in kb '{}'", outdated ? "outdated " : "", kb));
  }
  return ids;
}

std::string QueueRedisUri(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("REDIS_URL");
  return env != nullptr && *env != '\0' ? env : "redis://127.0.0.1:6379/0";
}

absl::Status RunWorker(const WorkerFlags& f, const ReextractOptions& reextract) {
  WorkerOptions o;
  o.reextract = reextract;
  o.redis_uri = QueueRedisUri(f.redis);
  NJ_ASSIGN_OR_RETURN(o.queues, ParseQueues(f.queues));
  o.concurrency = f.concurrency;
  o.prefetch = static_cast<size_t>(std::max(1, f.prefetch));
  o.heartbeat = absl::Seconds(f.heartbeat_s);
  o.claim_after = absl::Seconds(f.claim_after_s);
  o.max_deliveries = static_cast<uint64_t>(std::max(1, f.max_deliveries));
  o.name = f.name;
  o.commit_max = static_cast<size_t>(std::max(1, f.commit_max));
  o.commit_window = absl::Milliseconds(f.commit_window_ms);
  o.metrics_listen = f.metrics_listen;
  o.refresh = RunConfiguredRefresh;
  for (const std::string& kv : f.sets) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError("--set " + kv + ": expected key=value");
    }
    o.settings[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // Stop signals are taken by one thread with sigwait, blocked everywhere else.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<Worker> worker, Worker::Open(o));
  std::fprintf(stderr, "nightjar worker: serving %zu queue(s) on %s with %d slot(s)\n",
               o.queues.size(), RedactUri(o.redis_uri).c_str(), o.concurrency);
  std::atomic<bool> finished{false};
  std::jthread waiter([&] {
    int sig = 0;
    sigwait(&stop, &sig);
    if (finished.load()) return;
    worker->Stop();
    // The slots finish their documents in flight and hand the rest back; past the deadline the
    // process leaves anyway (what it held is claimed again, and completion markers keep every
    // committed document from running twice).
    const absl::Time deadline = absl::Now() + absl::Seconds(f.shutdown_deadline_s);
    while (!finished.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
    if (!finished.load()) {
      std::fprintf(stderr, "nightjar worker: shutdown deadline passed; leaving\n");
      std::_Exit(1);
    }
  });
  absl::Status st = worker->Run();
  finished.store(true);
  ::kill(::getpid(), SIGTERM);  // wakes the waiter if no signal came
  const WorkerStats s = worker->stats();
  JsonWriter w;
  w.BeginObject().Key("tasks").Uint(s.tasks).Key("documents").Uint(s.documents);
  w.Key("skipped").Uint(s.skipped).Key("failed").Uint(s.failed).Key("released").Uint(s.released);
  w.Key("claimed").Uint(s.claimed).Key("dead").Uint(s.dead);
  for (const auto& [name, value] : s.counters) w.Key(name).Uint(value);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return st;
}

absl::Status RunJobs(const JobsFlags& f, std::FILE* out) {
  NJ_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUri(QueueRedisUri(f.redis)));
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> conn, RedisConnection::Connect(endpoint));
  if (f.action == "submit") {
    if (f.args.size() != 1) return absl::InvalidArgumentError("jobs submit: expected TYPE");
    SubmitOptions o;
    o.type = f.args[0];
    if (o.type == "reextract" && f.docs.empty()) {
      NJ_RETURN_IF_ERROR(SelectReextract(f, o));
    } else if (f.docs.empty()) {
      return absl::InvalidArgumentError("jobs submit: --docs FILE is required");
    } else {
      NJ_ASSIGN_OR_RETURN(o.docs, ReadDocs(f.docs));
      if (o.type == "reextract") NJ_RETURN_IF_ERROR(ReextractJobOptions(f, nullptr, o));
    }
    o.batch_size = static_cast<size_t>(std::max(0, f.batch_size));
    NJ_ASSIGN_OR_RETURN(o.priority, ParsePriority(f.priority));
    NJ_ASSIGN_OR_RETURN(SubmitResult r, SubmitJob(conn.get(), o));
    if (f.json) {
      std::fprintf(out, "{\"job\":\"%s\",\"queue\":\"%s\",\"documents\":%llu,\"tasks\":%llu}\n",
                   r.job.c_str(), r.queue.c_str(), static_cast<unsigned long long>(r.documents),
                   static_cast<unsigned long long>(r.tasks));
    } else {
      std::fprintf(out, "%s\n", r.job.c_str());
    }
    return absl::OkStatus();
  }
  if (f.action == "status") return Status(conn.get(), f, out);
  if (f.action == "list") {
    NJ_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListJobs(conn.get()));
    for (const std::string& id : ids) {
      JobProgress p(conn.get(), id);
      auto s = p.Status();
      if (!s.ok()) continue;
      std::fprintf(out, "%s\n", f.json ? JobStatusJson(*s).c_str() : JobStatusLine(*s).c_str());
    }
    return absl::OkStatus();
  }
  if (f.action == "rate" || f.action == "set-rate") {
    if (f.args.empty()) return absl::InvalidArgumentError("jobs " + f.action + ": expected KEY");
    RateLimitOptions lo;
    lo.name = f.args[0];
    NJ_ASSIGN_OR_RETURN(auto limiter, RateLimiter::Open(conn.get(), lo));
    if (f.action == "set-rate") {
      if (f.args.size() != 2) return absl::InvalidArgumentError("jobs set-rate: expected KEY RATE");
      NJ_RETURN_IF_ERROR(limiter->SetRate(std::atof(f.args[1].c_str()), f.burst));
    }
    NJ_ASSIGN_OR_RETURN(RateLimitStats s, limiter->Stats());
    std::fprintf(
        out,
        "{\"key\":\"%s\",\"rate\":%g,\"burst\":%d,\"share\":%g,\"granted\":%llu,"
        "\"waits\":%llu,\"throttles\":%llu}\n",
        f.args[0].c_str(), s.rate, s.burst, s.share, static_cast<unsigned long long>(s.granted),
        static_cast<unsigned long long>(s.waits), static_cast<unsigned long long>(s.throttles));
    return absl::OkStatus();
  }
  if (f.action == "cancel" || f.action == "retry-failed") {
    if (f.args.size() != 1)
      return absl::InvalidArgumentError("jobs " + f.action + ": expected a job id");
    if (f.action == "cancel") {
      JobProgress p(conn.get(), f.args[0]);
      NJ_RETURN_IF_ERROR(p.Cancel());
      std::fprintf(out, "cancelled %s\n", f.args[0].c_str());
      return absl::OkStatus();
    }
    NJ_ASSIGN_OR_RETURN(size_t n, RetryFailed(conn.get(), f.args[0]));
    std::fprintf(out, "requeued %zu dead-lettered task(s) of %s\n", n, f.args[0].c_str());
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(fmt::format(
      "jobs: unknown action '{}' (submit, status, list, cancel, retry-failed)", f.action));
}

}  // namespace nightjar
