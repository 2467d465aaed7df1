#ifndef NIGHTJAR_CLI_CONFIG_H_
#define NIGHTJAR_CLI_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "corpus/document_source.h"
#include "count/corpus_counter.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/ngram_stats.h"
#include "serve/lookup_server.h"
#include "store/retention.h"
#include "store/validation.h"

namespace nightjar {

// Everything a run is configured by. Every field has a default; docs/configuration.md lists the
// TOML key, environment variable and flag of each.
struct Config {
  SourceOptions source;            // [corpus]: uri, fields, size caps
  double max_reject_share = 0.01;  // corpus.max_reject_share: above it the run fails
  std::string rejects_dir = "./var/nightjar/rejects";  // corpus.rejects_dir
  CountOptions count;                                  // [text] and [count]
  LexiconOptions lexicons;   // [spelling] [variants] [phrases] [acronyms] [related] [expansions]
  NgramStatsOptions ngrams;  // [ngrams]
  std::string store_uri = "dir:./var/nightjar";  // store.uri
  ValidationOptions validation;                  // [validation]: gates before activation
  RetentionOptions retention;                    // [retention]
  ServeOptions serve;                            // [serve]
};

// Builds a Config from, in rising precedence: defaults, the TOML file at `toml_path` (skipped
// when empty), environment variables (NIGHTJAR_<SECTION>_<KEY>, e.g. NIGHTJAR_CORPUS_URI), and
// `overrides` (dotted key -> value text, from flags). Any bad value fails with InvalidArgument
// naming the key and where it came from; unknown TOML keys are errors too.
[[nodiscard]] absl::StatusOr<Config> LoadConfig(
    const std::string& toml_path, const std::map<std::string, std::string>& env,
    const std::map<std::string, std::string>& overrides);

// The process environment as a map (only NIGHTJAR_* and the service URL variables).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_CONFIG_H_
