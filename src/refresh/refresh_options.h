#ifndef NIGHTJAR_REFRESH_REFRESH_OPTIONS_H_
#define NIGHTJAR_REFRESH_REFRESH_OPTIONS_H_

#include <string>

#include "corpus/document_source.h"
#include "count/corpus_counter.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/ngram_stats.h"
#include "store/retention.h"
#include "store/validation.h"

namespace nightjar {

// What to do when an input file cannot be read to its end (a cut-off .zst, a .gz whose CRC
// fails): kFail fails the run and publishes nothing; kSkip counts what was read, names the file
// in the summary and the manifest, and goes on.
enum class DamagedFilePolicy { kFail, kSkip };

// Incremental state ([state]). Every field has a default.
struct StateSettings {
  // The state directory: "" = a stateless refresh that reads and counts the whole corpus;
  // "auto" = state/ inside a dir: store, ./var/nightjar/state beside any other store.
  std::string path;
  bool full = false;  // --full: discard the state and rebuild it from the corpus
  // --reconcile: read every input (no file is skipped) and remove the documents the state holds
  // that the corpus no longer has (gone without a tombstone).
  bool reconcile = false;
  size_t checkpoint_docs = 100000;  // state.checkpoint_docs: documents between two commits
  size_t checkpoint_mb = 256;       // state.checkpoint_mb: or this much of their text, if sooner
  // state.verify_files: checksum every file before skipping it by its cursor, not only compare
  // its size and mtime (catches a file rewritten with both kept; costs a read of every file).
  bool verify_files = false;
  // Not a setting: false for a scratch state (the stateless refresh's recount through a
  // temporary state), which keeps no write-ahead log and is not flushed at the end.
  bool durable = true;
};

// One round of a sharded refresh (--round, --shard, [shard]); docs/scaling.md. Every field has
// a default.
struct ShardSettings {
  // "" = not sharded. "count": count shard `index` of `count` of the corpus into a part;
  // "publish": merge the count parts, mine (reading the whole corpus for the mining passes),
  // validate and publish one version.
  std::string round;
  uint32_t index = 0;  // --shard I/N: this run's shard, < count
  uint32_t count = 1;
  std::string parts;  // shard.parts (--parts): where parts go, dir:PATH on a shared volume
  std::string run;    // shard.run (--run): the run id the parts are kept under
  // shard.retention_days: after a publish round activates its version, the parts of other runs
  // whose newest part is older than this are removed (0 = keep every run).
  double retention_days = 7;
};

// Everything one refresh is configured by. Every field has a default; docs/configuration.md
// maps each TOML key to its field here.
struct RefreshOptions {
  SourceOptions source;            // corpus.*: the corpus URI, fields and size caps
  double max_reject_share = 0.01;  // corpus.max_reject_share: above it the run fails
  std::string rejects_dir = "./var/nightjar/rejects";  // corpus.rejects_dir; "" = no quarantine
  DamagedFilePolicy on_damaged_file = DamagedFilePolicy::kFail;  // corpus.on_damaged_file
  CountOptions count;                                            // [text] and [count]
  LexiconOptions lexicons;   // [spelling] [variants] [phrases] [acronyms] [related] [expansions]
  NgramStatsOptions ngrams;  // [ngrams]
  std::string store_uri = "dir:./var/nightjar";  // store.uri
  ValidationOptions validation;                  // [validation]: gates before activation
  RetentionOptions retention;                    // [retention]
  StateSettings state;                           // [state], --state, --full
  ShardSettings shard;                           // [shard], --round, --shard
  // refresh.memory_budget_mb (--memory-budget): what the read, count and state-update phases
  // may hold (MemoryPlan); past it term tables spill to sorted runs under spill_dir.
  int64_t memory_budget_mb = 2048;
  std::string spill_dir;  // refresh.spill_dir: where spilled runs go ("" = $TMPDIR, or /tmp)
  bool force = false;     // --force: activate even when a gate fails (recorded in the manifest)
  bool activate = true;   // false (--no-activate): stop at `validated`
};

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_REFRESH_OPTIONS_H_
