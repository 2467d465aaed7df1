#ifndef NIGHTJAR_STATE_UPDATER_H_
#define NIGHTJAR_STATE_UPDATER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "corpus/document.h"
#include "state/doc_record.h"
#include "state/state_store.h"
#include "text/tokenizer.h"

namespace nightjar {

// How documents are applied to a state. Every field has a default.
struct UpdateOptions {
  TokenizerOptions tokenizer;       // must be what the state's counts were made with
  int threads = 1;                  // threads counting each checkpoint's changed documents
  size_t checkpoint_docs = 100000;  // documents offered between two commits (at least 1)
  // Text bytes of the documents offered since the last commit past which the next commit comes
  // early: with the deltas and records they make, what bounds a checkpoint's memory.
  size_t checkpoint_bytes = size_t{256} << 20;
  // Memory the term deltas of one checkpoint may take (0 = no bound). A checkpoint's deltas
  // grow with the distinct terms of its text, which the text's size does not tell: each
  // checkpoint measures the ratio and the next one comes once its text would take the deltas
  // past this (the first assumes the worst: every token a new term).
  size_t table_bytes = 0;
};

// What a run did to the state's documents.
struct UpdateReport {
  uint64_t seen = 0;       // documents offered, tombstones included
  uint64_t unchanged = 0;  // the same content as the state's record
  uint64_t added = 0;      // ids with no live record before
  uint64_t modified = 0;   // live ids whose content changed
  uint64_t deleted = 0;    // live ids a tombstone removed
  uint64_t stale = 0;      // copies older (modified_at) than the record they met: ignored
  // Offers of an id already offered in the same checkpoint (a refresh reports the whole run's).
  uint64_t duplicates = 0;
  uint64_t checkpoints = 0;
  uint64_t skipped_inputs = 0;  // inputs (files) skipped by their cursors, set by the caller
  uint64_t gone = 0;            // live documents the corpus no longer had (--reconcile)
};

// Applies documents, in source order, to a state. For each id the copy with the latest
// modified_at wins, and among equal times (or where a time is missing) the one offered last;
// a tombstone is a copy too. A winning copy subtracts the contribution of the record it
// replaces (counted again from the record's text, exactly as it was first counted) and adds its
// own. Every checkpoint_docs offers, the count deltas, the records and the cursors set since
// the last one are committed in one atomic batch. Because the rule picks the same winner
// whatever was applied before, offering the input again from its start after a crash ends in
// the same state as an uninterrupted run. Not thread-safe; `state` must outlive it.
class StateUpdater {
 public:
  StateUpdater(StateStore* state, const UpdateOptions& options);

  // Offers the next document. May commit a checkpoint.
  [[nodiscard]] absl::Status Offer(const Document& doc);
  // A cursor to commit with the next checkpoint (the source's position up to the documents
  // offered so far).
  void SetCursor(std::string key, std::string value);
  // Commits what is pending. Call once, after the last Offer.
  [[nodiscard]] absl::Status Finish();

  const UpdateReport& report() const { return report_; }

 private:
  // True when `copy` replaces `held` (a record of the same id offered or stored before it).
  static bool Wins(const DocRecord& copy, const DocRecord& held);
  absl::Status Checkpoint();

  StateStore* state_;
  UpdateOptions options_;
  // The ids offered since the last checkpoint: the state's record when first offered, and the
  // copy that holds now (nullopt: the state's record still does).
  struct Pending {
    std::optional<DocRecord> stored;
    std::optional<DocRecord> winner;
  };
  absl::flat_hash_map<std::string, Pending> pending_;
  size_t pending_bytes_ = 0;  // text of the copies offered since the last checkpoint
  // Bytes of term deltas a byte of text made at the last checkpoint (with the tables' growth
  // and merge): what sets how much text the next checkpoint takes under table_bytes.
  double table_bytes_per_text_ = kWorstTableBytesPerText;
  static constexpr double kWorstTableBytesPerText = 24;
  size_t CheckpointBytes() const;
  std::vector<std::pair<std::string, std::string>> cursors_;
  UpdateReport report_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_UPDATER_H_
