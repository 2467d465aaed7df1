#include "cli/export.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "store/lexicon_store.h"
#include "util/status_macros.h"

namespace nightjar {

absl::Status RunExport(const ExportFlags& flags, std::FILE* out) {
  const bool symspell = flags.format == "symspell";
  if (flags.format != "jsonl" && !symspell) {
    return absl::InvalidArgumentError(
        fmt::format("--format {} is not one of: jsonl, symspell", flags.format));
  }
  bool known = false;
  std::string names;
  for (std::string_view l : kAllLexicons) {
    known |= flags.lexicon == l;
    names += names.empty() ? std::string(l) : fmt::format(", {}", l);
  }
  if (!known) {
    return absl::InvalidArgumentError(
        fmt::format("--lexicon {} is not one of: {}", flags.lexicon, names));
  }
  if (symspell && flags.lexicon != kSpellingLexicon) {
    return absl::InvalidArgumentError("--format symspell exports only --lexicon spelling");
  }
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(flags.store_uri));
  NJ_ASSIGN_OR_RETURN(const std::string version,
                      ResolveVersion(*store, flags.version, flags.store_uri));
  absl::Status write_status;
  simdjson::dom::parser parser;
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, flags.lexicon, [&](std::string_view rec) {
    if (!write_status.ok()) return;
    if (symspell) {
      // SymSpell's frequency dictionary: "word count" per line.
      simdjson::dom::element e;
      std::string_view word;
      uint64_t frequency = 0;
      if (parser.parse(rec.data(), rec.size()).get(e) || e["word"].get(word) ||
          e["frequency"].get(frequency)) {
        write_status = absl::DataLossError("export: a spelling record lacks word or frequency");
        return;
      }
      std::string line = fmt::format("{} {}\n", word, frequency);
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
        write_status = absl::UnavailableError("export: write to output failed");
      }
      return;
    }
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
