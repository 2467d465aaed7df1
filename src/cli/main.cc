// nightjar: one binary, one subcommand per job. Each subcommand returns an absl::Status; this
// file turns it into a message on stderr and an exit code:
//   0 ok, 1 runtime failure, 2 bad usage or configuration, 3 a data gate or precondition
//   refused (too many rejects, a failed validation gate, a rejected version, no rollback target).
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/config.h"
#include "cli/export.h"
#include "cli/lookup.h"
#include "cli/refresh.h"
#include "cli/schedule_cmd.h"
#include "cli/serve.h"
#include "cli/versions.h"
#include "cli/worker_cmd.h"
#include "refresh/shard_rounds.h"
#include "util/clock.h"

#ifdef NIGHTJAR_WITH_JEMALLOC
// jemalloc's start-up options (MALLOC_CONF in the environment still overrides them). The
// miners' large, short-lived temporaries (the PPMI matrix, the SVD's dense blocks) otherwise
// come as fresh 4 KiB pages, each zeroed on its first fault: on huge pages the related-terms
// step of a real-corpus refresh takes 0.65 s instead of 0.9 (docs/benchmarks.md).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
#endif

namespace nightjar {
namespace {

int ExitCode(const absl::Status& st) {
  if (st.ok()) return 0;
  std::fprintf(stderr, "nightjar: error: %s\n", std::string(st.message()).c_str());
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 2;
    case absl::StatusCode::kFailedPrecondition:
      return 3;
    default:
      return 1;
  }
}

// The options every config-reading subcommand shares.
struct ConfigFlags {
  std::string path;
  std::string store;
  std::vector<std::string> sets;
  std::map<std::string, std::string> overrides;  // filled by subcommand-specific flags

  void AddTo(CLI::App* cmd) {
    cmd->add_option("--config", path, "TOML config file (env: NIGHTJAR_CONFIG)");
    cmd->add_option("--store", store,
                    "store URI: dir:PATH (default dir:./var/nightjar) or "
                    "redis://[user:pass@]host:port/db[?namespace=NAME]");
    cmd->add_option("--set", sets, "override any setting: --set section.key=value (repeatable)");
  }

  absl::StatusOr<Config> Load() {
    for (const auto& kv : sets) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError("--set " + kv + ": expected section.key=value");
      }
      overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto env = ProcessEnvironment();
    if (path.empty() && env.count("NIGHTJAR_CONFIG")) path = env["NIGHTJAR_CONFIG"];
    if (!store.empty()) overrides["store.uri"] = store;
    return LoadConfig(path, env, overrides);
  }
};

// "--shard I/N" or "--shards N" (index 0) into *shard; neither: 0/1. InvalidArgument naming
// the flag when malformed or when both disagree.
absl::Status ParseShard(const std::string& shard_flag, const std::string& shards_flag,
                        ShardSettings* shard) {
  uint32_t index = 0, count = 1;
  if (!shard_flag.empty()) {
    const size_t slash = shard_flag.find('/');
    if (slash == std::string::npos || !absl::SimpleAtoi(shard_flag.substr(0, slash), &index) ||
        !absl::SimpleAtoi(shard_flag.substr(slash + 1), &count) || count == 0 || index >= count) {
      return absl::InvalidArgumentError(
          fmt::format("--shard '{}': give I/N with 0 <= I < N, e.g. 0/4", shard_flag));
    }
  }
  if (!shards_flag.empty()) {
    uint32_t n = 0;
    if (!absl::SimpleAtoi(shards_flag, &n) || n == 0 || (!shard_flag.empty() && n != count)) {
      return absl::InvalidArgumentError(fmt::format(
          "--shards '{}': give the number of shards (and the same N as --shard I/N)", shards_flag));
    }
    count = n;
  }
  shard->index = index;
  shard->count = count;
  return absl::OkStatus();
}

// `nightjar refresh`: its flags, and the run they ask for.
struct RefreshCommand {
  CLI::App* command = nullptr;
  ConfigFlags config;
  std::string corpus, threads, rejects_dir, max_reject_share, state, max_attempts, pushgateway,
      memory_budget, round, shard, shards, parts, run;
  bool json = false, quiet = false, force = false, no_activate = false, full = false,
       reconcile = false;

  void AddTo(CLI::App& app) {
    command = app.add_subcommand(
        "refresh", "Count the corpus, mine lexicons, validate, activate a new version");
    config.AddTo(command);
    command->add_option("--corpus", corpus, "corpus URI: jsonl:PATH|DIR|GLOB[,...]");
    command->add_option("--threads", threads, "worker threads (0 = one per core)");
    command->add_option("--rejects-dir", rejects_dir, "where rejected records are quarantined");
    command->add_option("--max-reject-share", max_reject_share,
                        "fail when more than this share of records is rejected (default 0.01)");
    command->add_option("--state", state, "incremental state directory, or auto (state.path)");
    command->add_option("--max-attempts", max_attempts,
                        "runs tried when one fails for a reason a retry may cure (default 1)");
    command->add_option("--pushgateway", pushgateway,
                        "push the outcome to this Prometheus Pushgateway (metrics.pushgateway)");
    command->add_option("--memory-budget", memory_budget,
                        "memory for reading, counting and state updates, e.g. 256MiB (default "
                        "2GiB; refresh.memory_budget_mb); past it counts spill to disk");
    command->add_option("--round", round,
                        "a sharded refresh's round: count, phrases, context (this shard's part) "
                        "or publish (merge the parts, mine, publish); docs/scaling.md");
    command->add_option("--shard", shard, "with a shard's --round: this shard, I/N (I from 0)");
    command->add_option("--shards", shards, "with --round publish: how many shards were counted");
    command->add_option("--parts", parts, "with --round: where parts go, dir:PATH (shard.parts)");
    command->add_option("--run", run, "with --round: the run id parts are kept under (shard.run)");
    command->add_flag("--full", full, "with --state: discard the state and rebuild it");
    command->add_flag("--reconcile", reconcile,
                      "with --state: drop documents gone from the corpus");
    command->add_flag("--quiet,-q", quiet, "no progress on stderr");
    command->add_flag("--json", json, "print a machine-readable summary at the end");
    command->add_flag("--force", force,
                      "activate even if validation gates fail (recorded in the manifest)");
    command->add_flag("--no-activate", no_activate,
                      "leave the new version validated; activate it with `versions activate`");
  }

  int Run() {
    if (!corpus.empty()) config.overrides["corpus.uri"] = corpus;
    if (!threads.empty()) config.overrides["count.threads"] = threads;
    if (!rejects_dir.empty()) config.overrides["corpus.rejects_dir"] = rejects_dir;
    if (!max_reject_share.empty()) config.overrides["corpus.max_reject_share"] = max_reject_share;
    if (!state.empty()) config.overrides["state.path"] = state;
    if (!max_attempts.empty()) config.overrides["refresh.max_attempts"] = max_attempts;
    if (!pushgateway.empty()) config.overrides["metrics.pushgateway"] = pushgateway;
    if (!parts.empty()) config.overrides["shard.parts"] = parts;
    if (!run.empty()) config.overrides["shard.run"] = run;
    if (!memory_budget.empty()) {
      auto mib = ParseSizeMib(memory_budget, "--memory-budget");
      if (!mib.ok()) return ExitCode(mib.status());
      config.overrides["refresh.memory_budget_mb"] = std::to_string(*mib);
    }
    auto loaded = config.Load();
    if (!loaded.ok()) return ExitCode(loaded.status());
    loaded->force = force;
    loaded->activate = !no_activate;
    loaded->state.full = full;
    loaded->state.reconcile = reconcile;
    if (!round.empty() || !shard.empty() || !shards.empty()) {
      loaded->shard.round = round;
      if (absl::Status st = ParseShard(shard, shards, &loaded->shard); !st.ok()) {
        return ExitCode(st);
      }
    }
    if (!loaded->shard.round.empty() && loaded->shard.round != "publish") {
      auto done = RunShardRound(*loaded, Clock::Real()->Now());
      if (!done.ok()) return ExitCode(done.status());
      std::printf("%s\n", json ? done->ToJson().c_str() : done->Text().c_str());
      return 0;
    }
    auto report = RunRefresh(*loaded, quiet, *Clock::Real());
    if (!report.ok()) return ExitCode(report.status());
    std::printf("%s\n", json ? report->ToJson().c_str() : RefreshSummaryText(*report).c_str());
    return 0;
  }
};

// `nightjar worker`: its flags.
struct WorkerCommand {
  CLI::App* command = nullptr;
  std::string config_path;
  std::string redis, concurrency, prefetch, heartbeat, claim_after, max_deliveries, deadline, name,
      metrics_listen;
  std::vector<std::string> queues, options;
  void AddTo(CLI::App& app) {
    command = app.add_subcommand("worker", "Serve task queues (Redis Streams) until SIGTERM");
    command->add_option("--config", config_path,
                        "TOML config file, [worker] (env: NIGHTJAR_CONFIG)");
    command->add_option("--redis", redis, "the queues' Redis URI (default: REDIS_URL)");
    command->add_option("-Q,--queue", queues,
                        "queue to serve, NAME[:WEIGHT] (repeatable; default reprocessing)");
    command->add_option("-c,--concurrency", concurrency, "slots (default 1)");
    command->add_option("--prefetch", prefetch, "tasks a slot holds at once (default 1)");
    command->add_option("--heartbeat", heartbeat,
                        "seconds between renewals of held tasks (default 10)");
    command->add_option("--claim-after", claim_after,
                        "seconds after which an unrenewed task is claimed (default 60)");
    command->add_option("--max-deliveries", max_deliveries,
                        "deliveries before a task is dead-lettered (default 5)");
    command->add_option("--shutdown-deadline", deadline,
                        "seconds SIGTERM waits for documents in flight (default 30)");
    command->add_option("--name", name, "consumer name prefix (default host:pid)");
    command->add_option("--metrics-listen", metrics_listen,
                        "host:port for /metrics and /healthz (port 0: any free one)");
    command->add_option("-o,--option", options,
                        "a task type's option KEY=VALUE, e.g. upstream.url=http://host:port/path");
  }
  int Run() {
    std::map<std::string, std::string> o;
    auto set = [&](const char* key, const std::string& v) {
      if (!v.empty()) o[key] = v;
    };
    set("worker.redis", redis);
    set("worker.concurrency", concurrency);
    set("worker.prefetch", prefetch);
    set("worker.heartbeat_s", heartbeat);
    set("worker.claim_after_s", claim_after);
    set("worker.max_deliveries", max_deliveries);
    set("worker.shutdown_deadline_s", deadline);
    set("worker.name", name);
    set("worker.metrics_listen", metrics_listen);
    auto env = ProcessEnvironment();
    if (config_path.empty() && env.count("NIGHTJAR_CONFIG")) config_path = env["NIGHTJAR_CONFIG"];
    auto config = LoadConfig(config_path, env, o);
    if (!config.ok()) return ExitCode(config.status());
    // Lists from flags replace the file's (commas may appear in option values).
    if (!queues.empty()) config->worker.queues = queues;
    if (!options.empty()) config->worker.sets = options;
    return ExitCode(RunWorker(config->worker, config->reextract));
  }
};

// `nightjar jobs`: its flags.
struct JobsCommand {
  CLI::App* command = nullptr;
  JobsFlags flags;
  void AddTo(CLI::App& app) {
    command = app.add_subcommand(
        "jobs",
        "submit TYPE --docs FILE | submit reextract --kb KB --all|--outdated | status ID "
        "[--watch] | list | cancel ID | retry-failed ID | rate KEY | set-rate KEY RATE");
    command->add_option("--redis", flags.redis, "the queues' Redis URI (default: REDIS_URL)");
    command->add_option("action", flags.action, "submit, status, list, cancel, retry-failed")
        ->required();
    command->add_option("args", flags.args, "the task type (submit) or the job id");
    command->add_option("--docs", flags.docs,
                        "submit: file of document ids, one per line (- = stdin)");
    command->add_option("--batch-size", flags.batch_size,
                        "submit: documents per task (default 50)");
    command->add_option("--priority", flags.priority,
                        "submit: high, normal or low (default normal)");
    command->add_flag("--json", flags.json, "machine-readable output");
    command->add_flag("--watch", flags.watch, "status: redraw every second until the job ends");
    command->add_option("--burst", flags.burst, "set-rate: calls that may go at once (default 1)");
    command->add_option("--config", flags.config_path,
                        "submit reextract: TOML config with [reextract] (env: NIGHTJAR_CONFIG)");
    command->add_option("--kb", flags.kb, "submit reextract: the knowledge base");
    command->add_option("--domain", flags.domain,
                        "submit reextract: a domain of [reextract.domains] (default general)");
    command->add_flag("--all", flags.all, "submit reextract: every document of the KB");
    command->add_flag("--outdated", flags.outdated,
                      "submit reextract: documents below reextract.schema_version");
    command->add_option("--cleanup-mode", flags.cleanup_mode,
                        "submit reextract: replace (default) or merge the document's old rows");
  }
};

// `nightjar schedule` and `nightjar scheduler`: their flags.
struct ScheduleCommands {
  CLI::App* schedule = nullptr;
  CLI::App* scheduler = nullptr;
  ScheduleFlags flags;
  SchedulerFlags run;
  void AddTo(CLI::App& app) {
    schedule = app.add_subcommand(
        "schedule",
        "set NAME \"CRON\" [--tz ZONE] -- TASK [ARGS...] | list | enable NAME | disable NAME | "
        "rm NAME");
    schedule->add_option("--redis", flags.redis, "the schedules' Redis URI (default: REDIS_URL)");
    schedule->add_option("action", flags.action, "set, list, enable, disable, rm")->required();
    schedule->add_option("args", flags.args, "set: NAME CRON -- TASK ARGS...; else NAME");
    schedule->add_option("--tz", flags.zone, "set: the IANA time zone of the cron (default UTC)");
    schedule->add_flag("--disabled", flags.disabled, "set: store it disabled");
    schedule->add_flag("--json", flags.json, "machine-readable output");
    scheduler = app.add_subcommand(
        "scheduler", "Run the schedules stored in Redis (any number of instances; one leads)");
    scheduler->add_option("--redis", run.redis, "the schedules' Redis URI (default: REDIS_URL)");
    scheduler->add_option("--id", run.id, "this instance's name (default host:pid)");
    scheduler->add_option("--tick", run.tick_s, "seconds between ticks (default 1)");
    scheduler->add_option("--lease", run.lease_s, "the leader's lease in seconds (default 15)");
    scheduler->add_option("--grace", run.grace_s,
                          "seconds a missed fire time may be late and still run (default 3600)");
    scheduler->add_option("--metrics-listen", run.metrics_listen,
                          "host:port for /metrics and /healthz (port 0: any free one)");
  }
};

// `nightjar lookup`: its flags.
struct LookupCommand {
  CLI::App* command = nullptr;
  LookupFlags flags;

  void AddTo(CLI::App& app) {
    command = app.add_subcommand("lookup", "Correct and expand queries against a version");
    command->add_option("--store", flags.store_uri, "store URI: dir:PATH or redis://...")
        ->required();
    command->add_option("--version", flags.version, "version to use (default: the current one)");
    command->add_flag("--json", flags.json, "one JSON object per query");
    command->add_option("--second-edit-margin", flags.corrector.second_edit_margin,
                        "ln-odds a two-edit correction must win by while a one-edit one exists "
                        "(default 3)");
    command->add_option("--context-weight", flags.corrector.context_weight,
                        "weight of the neighbouring words' bigram evidence; 0 = each token alone "
                        "(default 1)");
    command->add_option("--context-smoothing", flags.corrector.context_smoothing,
                        "pseudo-occurrences that keep rare bigram evidence small (default 3)");
    command->add_option("--learned-errors", flags.corrector.learned_errors,
                        "use the version's learned error model (default true); false = the "
                        "generic edit costs");
    command->add_option("text", flags.queries, "the query (default: one query per line of stdin)");
  }
};

int Main(int argc, char** argv) {
  // Logs go to stderr; stdout carries results (summaries, records, the serve address).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("nightjar"));
  CLI::App app{"nightjar: keeps a search engine's lexicons fresh"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nightjar 0.1.0");

  RefreshCommand refresh;
  refresh.AddTo(app);
  WorkerCommand worker;
  worker.AddTo(app);
  JobsCommand jobs;
  jobs.AddTo(app);
  ScheduleCommands schedules;
  schedules.AddTo(app);

  // export
  auto* exp = app.add_subcommand(
      "export",
      "Print the records of one lexicon of a version (verified against its checksum first)");
  ExportFlags ef;
  exp->add_option("--store", ef.store_uri, "store URI: dir:PATH or redis://...")->required();
  exp->add_option("--version", ef.version, "version to export (default: the current one)");
  exp->add_option("--lexicon", ef.lexicon,
                  "spelling | corrections | related | expansions | ngrams | phrases | acronyms")
      ->required();
  exp->add_option("--format", ef.format,
                  "jsonl | symspell (spelling: \"word count\" lines) | solr-synonyms | "
                  "es-synonyms (expansions: Solr rules, or Elasticsearch synonyms-set bodies)");

  LookupCommand lookup;
  lookup.AddTo(app);

  // versions
  auto* versions = app.add_subcommand(
      "versions", "list | show [V] | diff A B | activate V | rollback [--to V] | prune | audit");
  ConfigFlags vc;
  vc.AddTo(versions);
  VersionsFlags vf;
  versions->add_option("action", vf.action, "list, show, diff, activate, rollback, prune, audit")
      ->required();
  versions->add_option("args", vf.args, "versions the action names");
  versions->add_option("--to", vf.to, "rollback: the version to go back to (default: previous)");
  versions->add_flag("--force", vf.force, "activate: allow a rejected version");
  versions->add_flag("--dry-run", vf.dry_run, "prune: only report what would be deleted");
  versions->add_flag("--json", vf.json, "machine-readable output");
  versions->add_option("--limit", vf.limit, "diff: examples per section; audit: entries");

  // serve
  auto* serve = app.add_subcommand("serve", "Serve lookups over HTTP, following activations");
  ConfigFlags sc;
  sc.AddTo(serve);
  std::string listen;
  serve->add_option("--listen", listen, "host:port (default 127.0.0.1:8080; port 0 = any free)");

  // `schedule set NAME CRON -- TASK ARGS...`: what follows "--" is the task and its own
  // arguments (flags included), never nightjar's.
  std::vector<std::string> after_dashes;
  if (argc > 1 && std::string_view(argv[1]) == "schedule") {
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) != "--") continue;
      after_dashes.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (refresh.command->parsed()) return refresh.Run();
  if (worker.command->parsed()) return worker.Run();
  if (jobs.command->parsed()) return ExitCode(RunJobs(jobs.flags, stdout));
  if (schedules.schedule->parsed()) {
    for (const std::string& a : after_dashes) schedules.flags.args.push_back(a);
    return ExitCode(RunSchedule(schedules.flags, stdout));
  }
  if (schedules.scheduler->parsed()) return ExitCode(RunScheduler(schedules.run, stdout));
  if (exp->parsed()) return ExitCode(RunExport(ef, stdout));
  if (lookup.command->parsed()) return ExitCode(RunLookup(lookup.flags, stdin, stdout));
  if (versions->parsed()) {
    auto config = vc.Load();
    if (!config.ok()) return ExitCode(config.status());
    return ExitCode(RunVersions(vf, *config, *Clock::Real(), stdout));
  }
  if (serve->parsed()) {
    if (!listen.empty()) sc.overrides["serve.listen"] = listen;
    auto config = sc.Load();
    if (!config.ok()) return ExitCode(config.status());
    return ExitCode(RunServe(*config));
  }
  return 2;
}

}  // namespace
}  // namespace nightjar

int main(int argc, char** argv) { return nightjar::Main(argc, argv); }
