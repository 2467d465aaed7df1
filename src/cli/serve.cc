#include "cli/serve.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "serve/lookup_server.h"
#include "util/status_macros.h"

namespace nightjar {

absl::Status RunServe(const Config& config) {
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  const std::string uri = config.store_uri;
  NJ_ASSIGN_OR_RETURN(auto server,
                      LookupServer::Start(config.serve, [uri] { return LexiconStore::Open(uri); }));
  std::printf("serving %s on http://%s:%d\n", server->live().Get()->version().c_str(),
              server->host().c_str(), server->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server->Stop();
  return absl::OkStatus();
}

}  // namespace nightjar
