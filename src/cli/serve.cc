#include "cli/serve.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "cli/worker_cmd.h"
#include "serve/lookup_server.h"
#include "util/status_macros.h"
#include "worker/reextract_store.h"

namespace nightjar {

absl::Status RunServe(const Config& config) {
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  const std::string uri = config.store_uri;
  ServeOptions options = config.serve;
  // POST /v1/jobs {"type":"reextract","kb","select"}: the documents from the configured database,
  // the job's domain checked and its version set as `jobs submit reextract` does.
  const ReextractOptions reextract = config.reextract;
  options.select_documents =
      [reextract](
          const std::string& type, const std::string& kb, bool outdated,
          std::map<std::string, std::string>& o) -> absl::StatusOr<std::vector<std::string>> {
    if (type != "reextract") {
      return absl::InvalidArgumentError(
          fmt::format("\"kb\" selects reextract documents; a {} job takes \"docs\"", type));
    }
    const std::string domain = o.contains("domain") ? o["domain"] : "general";
    if (!reextract.domains.contains(domain)) {
      return absl::InvalidArgumentError(
          fmt::format("domain '{}' is not in [reextract.domains]", domain));
    }
    if (o.contains("cleanup")) NJ_RETURN_IF_ERROR(ParseCleanupMode(o["cleanup"]).status());
    o["domain"] = domain;
    o["version"] = std::to_string(reextract.schema_version);
    return SelectReextractDocuments(reextract, kb, outdated);
  };
  NJ_ASSIGN_OR_RETURN(auto server,
                      LookupServer::Start(options, [uri] { return LexiconStore::Open(uri); }));
  std::printf("serving %s on http://%s:%d\n", server->live().Get()->version().c_str(),
              server->host().c_str(), server->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server->Stop();
  return absl::OkStatus();
}

}  // namespace nightjar
