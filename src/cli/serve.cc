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
  ServeOptions options = config.serve;
  // The job API follows the worker's queues: serve.queue_uri, else REDIS_URL.
  if (const char* env = std::getenv("REDIS_URL"); options.queue_uri.empty() && env != nullptr) {
    options.queue_uri = env;
  }
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
