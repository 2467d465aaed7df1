#include "state/updater.h"

#include <algorithm>
#include <memory>

#include "count/corpus_counter.h"
#include "count/mergeable.h"
#include "util/parallel.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

struct Counted {
  TermTable terms;
  CorpusTotals totals;
  AbbreviationCounts abbreviations;
};

// Counts `docs` (live records) as the count pass counts documents, on up to `threads` threads.
Counted CountRecords(const std::vector<std::pair<const std::string*, const DocRecord*>>& docs,
                     const TokenizerOptions& tokenizer, int threads) {
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(docs.size() / 64) + 1));
  std::vector<std::unique_ptr<DocumentCounter>> counters;
  for (int i = 0; i < n; ++i) {
    counters.push_back(std::make_unique<DocumentCounter>(tokenizer));
    counters.back()->CountAbbreviationsToo();
  }
  ParallelFor(n, [&](int t) {
    std::vector<std::string_view> views;
    for (size_t i = static_cast<size_t>(t); i < docs.size(); i += static_cast<size_t>(n)) {
      counters[static_cast<size_t>(t)]->Add(docs[i].second->View(*docs[i].first, &views));
    }
  });
  Counted out;
  std::vector<TermTable*> terms;
  std::vector<AbbreviationCounts*> abbreviations;
  for (auto& c : counters) {
    terms.push_back(&c->terms());
    abbreviations.push_back(&c->abbreviations());
    out.totals.Merge(c->totals());
  }
  out.terms = MergeAll(terms);
  out.abbreviations = MergeAll(abbreviations);
  return out;
}

}  // namespace

StateUpdater::StateUpdater(StateStore* state, const UpdateOptions& options)
    : state_(state), options_(options) {
  options_.checkpoint_docs = std::max<size_t>(1, options_.checkpoint_docs);
}

bool StateUpdater::Wins(const DocRecord& copy, const DocRecord& held) {
  if (copy.modified_at_ms == Document::kNoTime || held.modified_at_ms == Document::kNoTime) {
    return true;
  }
  return copy.modified_at_ms >= held.modified_at_ms;
}

absl::Status StateUpdater::Offer(const Document& doc) {
  ++report_.seen;
  auto [it, first] = pending_.try_emplace(std::string(doc.id));
  Pending& p = it->second;
  if (first) {
    NJ_ASSIGN_OR_RETURN(p.stored, state_->GetDocument(doc.id));
  } else {
    ++report_.duplicates;
  }
  DocRecord copy = DocRecord::Of(doc);
  for (const auto& f : copy.fields) pending_bytes_ += f.size();
  const DocRecord* held = p.winner ? &*p.winner : (p.stored ? &*p.stored : nullptr);
  if (held == nullptr || Wins(copy, *held)) {
    p.winner = std::move(copy);
  } else {
    ++report_.stale;
  }
  if (pending_.size() >= options_.checkpoint_docs || pending_bytes_ >= CheckpointBytes()) {
    return Checkpoint();
  }
  return absl::OkStatus();
}

size_t StateUpdater::CheckpointBytes() const {
  if (options_.table_bytes == 0) return options_.checkpoint_bytes;
  const auto fit =
      static_cast<size_t>(static_cast<double>(options_.table_bytes) / table_bytes_per_text_);
  return std::clamp<size_t>(fit, 1, options_.checkpoint_bytes);
}

void StateUpdater::SetCursor(std::string key, std::string value) {
  cursors_.emplace_back(std::move(key), std::move(value));
}

absl::Status StateUpdater::Finish() { return Checkpoint(); }

absl::Status StateUpdater::Checkpoint() {
  if (pending_.empty() && cursors_.empty()) return absl::OkStatus();
  // Compare each id's winning copy with the state's record; collect what leaves and enters.
  std::vector<std::pair<const std::string*, const DocRecord*>> removed, added;
  StateBatch batch = state_->NewBatch();
  // By id: RocksDB's memtable inserts keys in order far faster than scattered ones.
  std::vector<const std::pair<const std::string, Pending>*> by_id;
  by_id.reserve(pending_.size());
  for (const auto& entry : pending_) by_id.push_back(&entry);
  std::sort(by_id.begin(), by_id.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : by_id) {
    const std::string& id = entry->first;
    const Pending& p = entry->second;
    if (!p.winner) continue;  // every copy was older than the state's record
    const DocRecord& copy = *p.winner;
    const std::optional<DocRecord>& held = p.stored;
    const bool live = held.has_value() && !held->deleted;
    if (live && !copy.deleted && held->fingerprint == copy.fingerprint &&
        held->fields == copy.fields && held->truncated == copy.truncated) {
      ++report_.unchanged;
      if (held->modified_at_ms != copy.modified_at_ms) batch.PutDocument(id, copy);
      continue;
    }
    if (live) removed.emplace_back(&id, &*held);
    if (copy.deleted) {
      report_.deleted += live;
    } else {
      added.emplace_back(&id, &copy);
      ++(live ? report_.modified : report_.added);
    }
    batch.PutDocument(id, copy);
  }
  const Counted minus = CountRecords(removed, options_.tokenizer, options_.threads);
  const Counted plus = CountRecords(added, options_.tokenizer, options_.threads);
  if (pending_bytes_ > 0) {
    // Both tables, with room for their per-thread parts while merged and a growth.
    const double tables =
        3.0 * static_cast<double>(minus.terms.MemoryBytes() + plus.terms.MemoryBytes());
    table_bytes_per_text_ =
        std::clamp(tables / static_cast<double>(pending_bytes_), 0.25, kWorstTableBytesPerText);
  }
  batch.AddCounts(minus.terms, minus.totals, minus.abbreviations, -1);
  batch.AddCounts(plus.terms, plus.totals, plus.abbreviations, +1);
  if (!removed.empty() || !added.empty()) batch.BumpGeneration();
  for (const auto& [key, value] : cursors_) batch.PutCursor(key, value);
  NJ_RETURN_IF_ERROR(state_->Commit(batch));
  ++report_.checkpoints;
  pending_.clear();
  pending_bytes_ = 0;
  cursors_.clear();
  return absl::OkStatus();
}

}  // namespace nightjar
