#include "cli/lookup.h"

#include "serve/snapshot.h"
#include "store/lexicon_store.h"
#include "util/status_macros.h"

namespace nightjar {

absl::Status RunLookup(const LookupFlags& flags, std::FILE* in, std::FILE* out) {
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(flags.store_uri));
  NJ_ASSIGN_OR_RETURN(const std::string version,
                      ResolveVersion(*store, flags.version, flags.store_uri));
  NJ_ASSIGN_OR_RETURN(auto snapshot, Snapshot::Load(*store, version, flags.corrector));
  auto answer = [&](const std::string& query) {
    std::string s = flags.json ? snapshot->LookupJson(query) + "\n" : snapshot->LookupText(query);
    std::fputs(s.c_str(), out);
  };
  if (!flags.queries.empty()) {
    std::string q;
    for (const auto& part : flags.queries) q += (q.empty() ? "" : " ") + part;
    answer(q);
  } else {
    char* line = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
      std::string q(line, static_cast<size_t>(n));
      while (!q.empty() && (q.back() == '\n' || q.back() == '\r')) q.pop_back();
      answer(q);
    }
    free(line);  // NOLINT: getline's buffer
  }
  if (std::fflush(out) != 0) return absl::UnavailableError("lookup: write to output failed");
  return absl::OkStatus();
}

}  // namespace nightjar
