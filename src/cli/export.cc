#include "cli/export.h"

#include <fmt/format.h>

#include "store/lexicon_store.h"
#include "util/status_macros.h"

namespace nightjar {

absl::Status RunExport(const ExportFlags& flags, std::FILE* out) {
  if (flags.format != "jsonl") {
    return absl::InvalidArgumentError(
        fmt::format("--format {} is not supported (this build exports jsonl)", flags.format));
  }
  if (flags.lexicon != kSpellingLexicon && flags.lexicon != kNgramsLexicon) {
    return absl::InvalidArgumentError(
        fmt::format("--lexicon {} is not one of: spelling, ngrams", flags.lexicon));
  }
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(flags.store_uri));
  std::string version = flags.version;
  if (version.empty()) {
    NJ_ASSIGN_OR_RETURN(auto current, store->Current());
    if (!current) {
      return absl::NotFoundError(fmt::format("{} has no current version", flags.store_uri));
    }
    version = *current;
  }
  absl::Status write_status;
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, flags.lexicon, [&](std::string_view rec) {
    if (!write_status.ok()) return;
    if (std::fwrite(rec.data(), 1, rec.size(), out) != rec.size() || std::fputc('\n', out) == EOF) {
      write_status = absl::UnavailableError("export: write to output failed");
    }
  }));
  if (std::fflush(out) != 0 && write_status.ok()) {
    write_status = absl::UnavailableError("export: flush of output failed");
  }
  return write_status;
}

}  // namespace nightjar
