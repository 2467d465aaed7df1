#include "cli/export.h"

#include <fmt/format.h>

#include "lexicon/records.h"
#include "store/lexicon_store.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {

namespace {

// Solr synonym syntax escapes ',', '=>' parts and backslashes with a backslash.
std::string SolrEscape(std::string_view term) {
  std::string out;
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (c == ',' || c == '\\' || (c == '=' && i + 1 < term.size() && term[i + 1] == '>')) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

// "term => term, expansion, ..." from an expansions record: an explicit mapping that keeps the
// original term. Empty when the record has no expansions.
absl::StatusOr<std::string> SolrRule(std::string_view rec) {
  absl::StatusOr<ExpansionRecord> r = ExpansionRecord::Parse(rec);
  if (!r.ok()) {
    return absl::DataLossError(
        fmt::format("export: malformed expansions record: {}", std::string(r.status().message())));
  }
  std::string rule = SolrEscape(r->term) + " => " + SolrEscape(r->term);
  size_t n = 0;
  for (const ScoredTerm& x : r->expansions) {
    if (x.term == r->term) continue;
    rule += ", " + SolrEscape(x.term);
    ++n;
  }
  return n == 0 ? std::string() : rule;
}

constexpr size_t kEsRulesPerSet = 10000;  // Elasticsearch's limit per synonyms set

}  // namespace

absl::Status RunExport(const ExportFlags& flags, std::FILE* out) {
  const bool symspell = flags.format == "symspell";
  const bool solr = flags.format == "solr-synonyms";
  const bool es = flags.format == "es-synonyms";
  if (flags.format != "jsonl" && !symspell && !solr && !es) {
    return absl::InvalidArgumentError(fmt::format(
        "--format {} is not one of: jsonl, symspell, solr-synonyms, es-synonyms", flags.format));
  }
  if ((solr || es) && flags.lexicon != kExpansionsLexicon) {
    return absl::InvalidArgumentError(
        fmt::format("--format {} exports only --lexicon expansions", flags.format));
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
  // Verified first (a scan checks the manifest's checksum at its end), so that a damaged
  // lexicon writes nothing rather than every record and then an error.
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, flags.lexicon, [](std::string_view) {}));
  absl::Status write_status;
  auto write = [&](std::string_view text) {
    if (write_status.ok() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
      write_status = absl::UnavailableError("export: write to output failed");
    }
  };
  std::vector<std::string> es_rules;
  size_t es_sets = 0;
  auto flush_es = [&] {
    ++es_sets;
    JsonWriter w;
    w.BeginObject().Key("synonyms_set").BeginArray();
    for (const auto& r : es_rules) w.BeginObject().Key("synonyms").String(r).EndObject();
    w.EndArray().EndObject();
    write(w.Take() + "\n");
    es_rules.clear();
  };
  NJ_RETURN_IF_ERROR(store->ScanLexicon(version, flags.lexicon, [&](std::string_view rec) {
    if (!write_status.ok()) return;
    if (solr || es) {
      auto rule = SolrRule(rec);
      if (!rule.ok()) {
        write_status = rule.status();
      } else if (!rule->empty() && solr) {
        write(*rule + "\n");
      } else if (!rule->empty()) {
        es_rules.push_back(std::move(*rule));
        if (es_rules.size() == kEsRulesPerSet) flush_es();
      }
      return;
    }
    if (symspell) {
      // SymSpell's frequency dictionary: "word count" per line.
      absl::StatusOr<SpellingRecord> r = SpellingRecord::Parse(rec);
      if (!r.ok()) {
        write_status = absl::DataLossError(fmt::format("export: malformed spelling record: {}",
                                                       std::string(r.status().message())));
        return;
      }
      std::string line = fmt::format("{} {}\n", r->word, r->frequency);
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
        write_status = absl::UnavailableError("export: write to output failed");
      }
      return;
    }
    if (std::fwrite(rec.data(), 1, rec.size(), out) != rec.size() || std::fputc('\n', out) == EOF) {
      write_status = absl::UnavailableError("export: write to output failed");
    }
  }));
  if (es && write_status.ok() && (!es_rules.empty() || es_sets == 0)) flush_es();
  if (std::fflush(out) != 0 && write_status.ok()) {
    write_status = absl::UnavailableError("export: flush of output failed");
  }
  return write_status;
}

}  // namespace nightjar
