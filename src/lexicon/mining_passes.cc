#include "lexicon/mining_passes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "count/mergeable.h"
#include "count/pass.h"
#include "lexicon/acronyms.h"
#include "lexicon/context_bigrams.h"
#include "lexicon/function_words.h"
#include "util/parallel.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

bool IsUnitWord(std::string_view w) {
  if (w.size() < 2) return false;
  for (char c : w) {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Sums the per-thread counts into *merged on as many threads (MergeAll), then frees the
// counters after the first.
template <typename Counter, Mergeable Counts>
void MergeCounts(std::vector<std::unique_ptr<Counter>>& cs, Counts* merged) {
  std::vector<Counts*> parts;
  parts.reserve(cs.size());
  for (auto& c : cs) parts.push_back(&c->counts());
  *merged = MergeAll(parts, static_cast<int>(cs.size()));
  for (size_t i = 1; i < cs.size(); ++i) cs[i].reset();
}

template <typename Counter, typename Counts>
absl::Status RunCounters(const SourceFactory& reopen, std::vector<std::unique_ptr<Counter>>& cs,
                         Counts* merged) {
  NJ_ASSIGN_OR_RETURN(auto source, reopen());
  DiscardRejects discard;  // the count pass already counted and quarantined them
  NJ_RETURN_IF_ERROR(RunPass(
      *source, static_cast<int>(cs.size()),
      [&](int i, const Document& doc) { cs[static_cast<size_t>(i)]->Add(doc); }, discard, nullptr));
  MergeCounts(cs, merged);
  return absl::OkStatus();
}

// Runs replay(*cs[i % n], caches[i]) for every cache, counter i on its own thread (n counters).
template <typename Counter, typename Cache, typename Replay>
void ReplayEach(std::vector<std::unique_ptr<Counter>>& cs, std::vector<Cache>& caches,
                const Replay& replay) {
  auto run = [&](size_t i) {
    for (size_t j = i; j < caches.size(); j += cs.size()) replay(*cs[i], caches[j]);
  };
  ParallelFor(std::min(cs.size(), caches.size()), run);
}

// Word pairs the corpus joins with "and" or "or" (from the trigram counts), as BigramKey(smaller
// id, larger id).
absl::flat_hash_set<uint64_t> CoordinatedPairs(const Vocabulary& vocab,
                                               const PhraseCounts& counts) {
  const uint32_t conjunctions[] = {vocab.Find("and"), vocab.Find("or")};
  absl::flat_hash_set<uint64_t> out;
  counts.ForEachTrigram([&](uint32_t a, uint32_t b, uint32_t c, uint64_t) {
    if (b != conjunctions[0] && b != conjunctions[1]) return;
    out.insert(BigramKey(std::min(a, c), std::max(a, c)));
  });
  return out;
}

}  // namespace

// Pass 2: phrases and abbreviations, from the first pass's text when it can be replayed, else
// from the corpus. Returns the counts; *caches receives the text for the third pass (empty when
// it did not fit).
absl::StatusOr<PhraseCounts> PhrasePass(const CorpusCounts& counts, const Vocabulary& vocab,
                                        const SourceFactory& reopen,
                                        const TokenizerOptions& tokenizer,
                                        const LexiconOptions& options, int threads,
                                        std::vector<FieldCache> first_pass,
                                        std::vector<FieldCache>* caches, MiningTrace& tr) {
  PhraseCounts phrase_counts;
  std::vector<std::unique_ptr<PhraseCounter>> cs;
  const uint32_t limit = vocab.CountAtLeast(options.phrases.min_count);
  const bool count_abbreviations = !counts.abbreviations_counted;
  cs.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    cs.push_back(std::make_unique<PhraseCounter>(tokenizer, vocab, limit, count_abbreviations));
  }
  if (!first_pass.empty() && ResolveTermHashes(vocab, &first_pass)) {
    *caches = std::move(first_pass);
    ReplayEach(cs, *caches, [](PhraseCounter& c, const FieldCache& f) { c.AddCached(f); });
    MergeCounts(cs, &phrase_counts);
    tr.second_pass_cached = true;
  } else {
    first_pass.clear();
    const auto cache_bytes = static_cast<size_t>(options.pass_cache_mb) << 20;
    // When the first pass's token count says the text cannot fit, the third pass will read
    // the corpus anyway.
    if (cache_bytes > 0 && counts.totals.tokens * FieldCache::kTokenBytes <= cache_bytes) {
      for (int i = 0; i < threads; ++i) {
        caches->emplace_back(cache_bytes / static_cast<size_t>(threads));
      }
    }
    for (size_t i = 0; i < caches->size(); ++i) cs[i]->KeepFieldsIn(&(*caches)[i]);
    NJ_RETURN_IF_ERROR(RunCounters(reopen, cs, &phrase_counts));
  }
  if (counts.abbreviations_counted) phrase_counts.abbreviations = counts.abbreviations;
  if (std::any_of(caches->begin(), caches->end(),
                  [](const FieldCache& c) { return c.overflowed(); })) {
    caches->clear();  // past the budget: the third pass reads the corpus
  }
  return phrase_counts;
}

// The units related terms are computed over: the most frequent words and phrases, and the
// map from tokens to units the third pass reads.
std::vector<Unit> SelectUnits(const Vocabulary& vocab, const PhraseSet& phrases,
                              const RelatedOptions& options, UnitMap* map) {
  absl::flat_hash_set<std::string_view> connectors(ConnectorWords().begin(),
                                                   ConnectorWords().end());
  std::vector<Unit> units;
  for (uint32_t id = 0;
       id < vocab.size() && units.size() < size_t{4} * static_cast<size_t>(options.top_k); ++id) {
    std::string_view w = vocab.term(id);
    if (!IsUnitWord(w) || connectors.contains(w)) continue;
    units.push_back(Unit{std::string(w), vocab.stats(id).frequency, id, -1});
  }
  for (int i = 0; i < static_cast<int>(phrases.phrases().size()); ++i) {
    const Phrase& p = phrases.phrases()[static_cast<size_t>(i)];
    units.push_back(Unit{p.text, p.count, Vocabulary::kNone, i});
  }
  std::sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) {
    return a.frequency != b.frequency ? a.frequency > b.frequency : a.text < b.text;
  });
  if (units.size() > static_cast<size_t>(options.top_k)) {
    units.resize(static_cast<size_t>(options.top_k));
  }
  map->units = static_cast<uint32_t>(units.size());
  map->word_unit.assign(vocab.size(), UnitMap::kNone);
  map->spelling_slot.assign(vocab.size(), UnitMap::kNone);
  for (uint32_t u = 0; u < units.size(); ++u) {
    const Unit& unit = units[u];
    if (unit.word != Vocabulary::kNone) {
      map->word_unit[unit.word] = u;
    } else {
      const auto& ids = phrases.phrases()[static_cast<size_t>(unit.phrase)].ids;
      if (ids.size() == 2) {
        map->bigram_unit[BigramKey(ids[0], ids[1])] = u;
      } else {
        map->trigram_unit[TrigramKey(ids[0], ids[1], ids[2])] = u;
      }
    }
  }
  // Phrases outside the units still merge their words, so that "new york" never counts as
  // "york" in another unit's window.
  for (const Phrase& p : phrases.phrases()) {
    if (p.ids.size() == 2) {
      map->bigram_unit.try_emplace(BigramKey(p.ids[0], p.ids[1]), UnitMap::kNone);
    } else {
      map->trigram_unit.try_emplace(TrigramKey(p.ids[0], p.ids[1], p.ids[2]), UnitMap::kNone);
    }
  }
  map->IndexPhraseStarts(vocab.size());
  return units;
}

// Spelling candidates, whose contexts the third pass collects: their slots go into *map.
std::vector<VariantCandidate> SpellingCandidates(const Vocabulary& vocab,
                                                 const LexiconOptions& options, int threads,
                                                 UnitMap* map, MiningTrace& tr) {
  // Only words that some token could be a variant of: at least min_ratio times as frequent as
  // the rarest token (seen once), and no rarer than word_min_frequency. Below them, down to the
  // dictionary's ratio times a token seen twice, the words only frequent misspellings reach go
  // into an index of their own, which only those tokens search.
  const VariantOptions& vo = options.variants;
  const uint32_t common = vocab.CountAtLeast(
      std::max(vo.word_min_frequency, static_cast<uint64_t>(std::ceil(vo.min_ratio))));
  const double least = 2 * vo.MinRatio(2, VariantOptions::kMinFrequentMisspellingChars);
  const uint32_t all = std::max(
      common,
      vocab.CountAtLeast(std::max(vo.word_min_frequency, static_cast<uint64_t>(std::ceil(least)))));
  auto words = [&](uint32_t lo, uint32_t hi) {
    std::vector<std::string_view> out;
    out.reserve(hi - lo);
    for (uint32_t id = lo; id < hi; ++id) out.push_back(vocab.term(id));
    return out;
  };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<VariantCandidate> candidates;
  {  // the indexes are only for finding candidates: freed before the third pass's maps peak
    const DeleteIndex index(words(0, common), vo.max_distance, threads, vo.short_word_chars);
    std::unique_ptr<DeleteIndex> rare;
    if (all > common) rare = std::make_unique<DeleteIndex>(words(common, all), 1, threads, 0);
    tr.Step("variant_index", &t0);
    candidates = FindVariantCandidates(vocab, index, vo, threads, rare.get());
  }
  tr.Step("variant_candidates", &t0);
  // Slots in vocabulary order, most frequent word first: the third pass updates a slot's counts
  // at nearly every token, and the frequent words' slots then share a few cache lines.
  for (const auto& c : candidates) {
    map->spelling_slot[c.variant] = 0;
    map->spelling_slot[c.word] = 0;
  }
  uint32_t slots = 0;
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    if (map->spelling_slot[id] == UnitMap::kNone) continue;
    map->spelling_slot[id] = slots++;
    map->slot_keep.push_back(
        SampleThreshold(vocab.stats(id).frequency, options.cooccurrence.spelling_sample));
  }
  return candidates;
}

// Pass 3: unit co-occurrence and spelling contexts, from the kept text or the corpus.
absl::StatusOr<CooccurrenceCounts> ContextPass(const Vocabulary& vocab, const UnitMap& map,
                                               const SourceFactory& reopen,
                                               const TokenizerOptions& tokenizer,
                                               const LexiconOptions& options, int threads,
                                               std::vector<FieldCache>& caches, MiningTrace& tr) {
  CooccurrenceCounts cooc;
  std::vector<std::unique_ptr<CooccurrenceCounter>> cs;
  cs.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    cs.push_back(
        std::make_unique<CooccurrenceCounter>(tokenizer, vocab, map, options.cooccurrence));
  }
  if (caches.empty()) {
    NJ_RETURN_IF_ERROR(RunCounters(reopen, cs, &cooc));
  } else {
    ReplayEach(cs, caches, [](CooccurrenceCounter& c, FieldCache& f) {
      c.AddCached(f);
      f = FieldCache(0);
    });
    MergeCounts(cs, &cooc);
    tr.third_pass_cached = true;
  }
  return cooc;
}

// The selections made from the phrase counts: the phrases and acronyms on this thread; beside
// it, the context bigrams and the coordinated pairs.
void SelectFromPhraseCounts(const Vocabulary& vocab, const PhraseCounts& counts,
                            const LexiconOptions& options, int threads,
                            std::optional<PhraseSet>* phrases,
                            absl::flat_hash_set<uint64_t>* coordinated, Lexicons* out,
                            MiningTrace& tr) {
  MiningTrace side_trace;
  RunBeside(
      threads > 1,
      [&] {
        auto step = std::chrono::steady_clock::now();
        phrases->emplace(vocab, counts, options.phrases);
        out->phrases = (*phrases)->phrases();
        out->acronyms = MineAcronyms(counts, options.acronyms);
        tr.Step("phrases", &step);
      },
      [&] {
        auto step = std::chrono::steady_clock::now();
        out->bigrams = SelectBigrams(vocab, counts, options.bigrams);
        side_trace.Step("bigrams", &step);
        *coordinated = CoordinatedPairs(vocab, counts);
        side_trace.Step("coordinated", &step);
      });
  tr.steps.insert(tr.steps.end(), side_trace.steps.begin(), side_trace.steps.end());
}

absl::StatusOr<PhraseCounts> CountPhrasePass(const CorpusCounts& counts,
                                             const SourceFactory& source,
                                             const TokenizerOptions& tokenizer,
                                             const LexiconOptions& options, int threads) {
  const Vocabulary vocab(counts.terms, 1);
  LexiconOptions o = options;
  o.pass_cache_mb = 0;  // no third pass follows here
  std::vector<FieldCache> none;
  MiningTrace tr;
  NJ_ASSIGN_OR_RETURN(PhraseCounts out,
                      PhrasePass(counts, vocab, source, tokenizer, o, threads, {}, &none, tr));
  // The first pass's definitions are the merged counts', not this shard's: MineLexicons takes
  // them from there.
  if (counts.abbreviations_counted) out.abbreviations = AbbreviationCounts();
  return out;
}

absl::StatusOr<CooccurrenceCounts> CountContextPass(const CorpusCounts& counts,
                                                    const PhraseCounts& phrases,
                                                    const SourceFactory& source,
                                                    const TokenizerOptions& tokenizer,
                                                    const LexiconOptions& options, int threads) {
  const Vocabulary vocab(counts.terms, 1);
  MiningTrace tr;
  // Only what the third pass is counted against: the phrases (not the acronyms, context
  // bigrams or coordinated pairs MineLexicons selects beside them), units and candidates.
  const PhraseSet phrase_set(vocab, phrases, options.phrases);
  UnitMap map;
  SelectUnits(vocab, phrase_set, options.related, &map);
  SpellingCandidates(vocab, options, threads, &map, tr);
  std::vector<FieldCache> none;
  return ContextPass(vocab, map, source, tokenizer, options, threads, none, tr);
}

}  // namespace nightjar
