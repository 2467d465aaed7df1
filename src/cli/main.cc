// nightjar: one binary, one subcommand per job. Each subcommand returns an absl::Status; this
// file turns it into a message on stderr and an exit code:
//   0 ok, 1 runtime failure, 2 bad usage or configuration, 3 a data gate refused to publish.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/export.h"
#include "cli/lookup.h"
#include "cli/refresh.h"
#include "util/clock.h"

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

int Main(int argc, char** argv) {
  CLI::App app{"nightjar: keeps a search engine's lexicons fresh"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nightjar 0.1.0");

  // refresh
  auto* refresh =
      app.add_subcommand("refresh", "Count the corpus, mine lexicons, publish a version");
  std::string config_path;
  std::map<std::string, std::string> overrides;
  std::string corpus, store, threads, rejects_dir, max_reject_share;
  bool quiet = false, json = false;
  refresh->add_option("--config", config_path, "TOML config file (env: NIGHTJAR_CONFIG)");
  refresh->add_option("--corpus", corpus, "corpus URI: jsonl:PATH|DIR|GLOB[,...]");
  refresh->add_option("--store", store, "store URI: dir:PATH (default dir:./var/nightjar)");
  refresh->add_option("--threads", threads, "worker threads (0 = one per core)");
  refresh->add_option("--rejects-dir", rejects_dir, "where rejected records are quarantined");
  refresh->add_option("--max-reject-share", max_reject_share,
                      "fail when more than this share of records is rejected (default 0.01)");
  std::vector<std::string> sets;
  refresh->add_option("--set", sets, "override any setting: --set section.key=value (repeatable)");
  refresh->add_flag("--quiet,-q", quiet, "no progress on stderr");
  refresh->add_flag("--json", json, "print a machine-readable summary at the end");

  // export
  auto* exp = app.add_subcommand("export", "Print the records of one lexicon of a version");
  ExportFlags ef;
  exp->add_option("--store", ef.store_uri, "store URI: dir:PATH")->required();
  exp->add_option("--version", ef.version, "version to export (default: the current one)");
  exp->add_option("--lexicon", ef.lexicon,
                  "spelling | corrections | related | expansions | ngrams | phrases | acronyms")
      ->required();
  exp->add_option("--format", ef.format, "jsonl | symspell (spelling only: \"word count\" lines)");

  // lookup
  auto* lookup = app.add_subcommand("lookup", "Correct and expand queries against a version");
  LookupFlags lf;
  lookup->add_option("--store", lf.store_uri, "store URI: dir:PATH")->required();
  lookup->add_option("--version", lf.version, "version to use (default: the current one)");
  lookup->add_flag("--json", lf.json, "one JSON object per query");
  lookup->add_option("text", lf.queries, "the query (default: one query per line of stdin)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (refresh->parsed()) {
    for (const auto& kv : sets) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return ExitCode(absl::InvalidArgumentError("--set " + kv + ": expected section.key=value"));
      }
      overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto env = ProcessEnvironment();
    if (config_path.empty() && env.count("NIGHTJAR_CONFIG")) config_path = env["NIGHTJAR_CONFIG"];
    if (!corpus.empty()) overrides["corpus.uri"] = corpus;
    if (!store.empty()) overrides["store.uri"] = store;
    if (!threads.empty()) overrides["count.threads"] = threads;
    if (!rejects_dir.empty()) overrides["corpus.rejects_dir"] = rejects_dir;
    if (!max_reject_share.empty()) overrides["corpus.max_reject_share"] = max_reject_share;
    auto config = LoadConfig(config_path, env, overrides);
    if (!config.ok()) return ExitCode(config.status());
    auto result = RunRefresh(*config, RefreshFlags{quiet}, *Clock::Real());
    if (!result.ok()) return ExitCode(result.status());
    std::printf("%s\n", json ? result->summary_json.c_str() : result->summary_text.c_str());
    return 0;
  }
  if (exp->parsed()) return ExitCode(RunExport(ef, stdout));
  if (lookup->parsed()) return ExitCode(RunLookup(lf, stdin, stdout));
  return 2;
}

}  // namespace
}  // namespace nightjar

int main(int argc, char** argv) { return nightjar::Main(argc, argv); }
