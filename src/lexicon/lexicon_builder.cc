#include "lexicon/lexicon_builder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "count/mergeable.h"
#include "count/pass.h"
#include "count/phrase_counter.h"
#include "count/vocabulary.h"
#include "lexicon/function_words.h"
#include "lexicon/kernels.h"
#include "lexicon/nearest.h"
#include "text/edit_distance.h"
#include "util/parallel.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

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

struct Unit {
  std::string text;
  uint64_t frequency;
  uint32_t word = Vocabulary::kNone;  // vocabulary id for a word unit
  int phrase = -1;                    // index into the PhraseSet for a phrase unit
};

}  // namespace

void MiningTrace::AddStage(std::string_view name, std::chrono::steady_clock::time_point since) {
  const double seconds = Since(since);
  for (auto& [n, s] : stages) {
    if (n == name) {
      s += seconds;
      return;
    }
  }
  stages.emplace_back(std::string(name), seconds);
}

void MiningTrace::Step(std::string name, std::chrono::steady_clock::time_point* since) {
  const auto now = std::chrono::steady_clock::now();
  steps.emplace_back(std::move(name), std::chrono::duration<double>(now - *since).count());
  *since = now;
}

namespace {

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

// Related terms: unit vectors from the co-occurrence pairs (taken), their nearest neighbours.
std::vector<RelatedEntry> MineRelated(const std::vector<Unit>& units, const UnitMap& map,
                                      SortedPairCounts pairs, const RelatedOptions& options,
                                      int threads, UnitVectors* vectors, MiningTrace& tr) {
  auto t0 = std::chrono::steady_clock::now();
  *vectors = BuildUnitVectors(map.units, std::move(pairs), options, threads);
  tr.Step("related_svd", &t0);
  std::vector<std::vector<std::pair<uint32_t, float>>> nearest;
  if (options.subword_weight > 0) {
    std::vector<std::string_view> texts;
    texts.reserve(units.size());
    for (const Unit& unit : units) texts.emplace_back(unit.text);
    nearest = NearestUnits(MixSubwordVectors(*vectors, texts, options), options, threads);
  } else {
    nearest = NearestUnits(*vectors, options, threads);
  }
  tr.Step("related_nearest", &t0);
  std::vector<RelatedEntry> out;
  for (uint32_t u = 0; u < map.units; ++u) {
    if (nearest[u].empty()) continue;
    RelatedEntry e{units[u].text, {}, {}};
    for (const auto& [v, s] : nearest[u]) {
      e.related.emplace_back(units[v].text, s);
      e.distributional.push_back(vectors->row(u).dot(vectors->row(v)));
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const RelatedEntry& a, const RelatedEntry& b) { return a.term < b.term; });
  return out;
}

// Spelling variants: context vectors are sums of the unit vectors around each word. Fills the
// spelling vocabulary and the corrections.
void MineVariants(const Vocabulary& vocab, const UnitMap& map,
                  const std::vector<VariantCandidate>& candidates, const CooccurrenceCounts& cooc,
                  const UnitVectors& vectors, const LexiconOptions& options, int threads,
                  Lexicons* out, MiningTrace& tr) {
  auto t0 = std::chrono::steady_clock::now();
  UnitVectors contexts = WeightedRowSums(static_cast<uint32_t>(map.slot_keep.size()),
                                         cooc.spelling_contexts, vectors, threads);
  tr.Step("variant_contexts", &t0);
  for (Eigen::Index i = 0; i < contexts.rows(); ++i) {
    const float norm = contexts.row(i).norm();
    if (norm > 0) contexts.row(i) /= norm;
  }
  auto context = [&](uint32_t a, uint32_t b) -> double {
    const uint32_t sa = map.spelling_slot[a], sb = map.spelling_slot[b];
    if (sa == UnitMap::kNone || sb == UnitMap::kNone) return 0.0;
    return contexts.row(sa).dot(contexts.row(sb));
  };
  auto case_of = [&](uint32_t id) {
    const uint32_t slot = map.spelling_slot[id];
    if (slot == UnitMap::kNone || slot >= cooc.slot_case.size()) return CaseCounts{};
    return CaseCounts{cooc.slot_case[slot].occurrences, cooc.slot_case[slot].capitalized};
  };
  std::vector<VariantCandidate> lowercase_candidates;
  lowercase_candidates.reserve(candidates.size());
  for (const VariantCandidate& c : candidates) {
    if (!WrittenAsName(case_of(c.variant), case_of(c.word), options.variants)) {
      lowercase_candidates.push_back(c);
    }
  }
  std::vector<Variant> variants =
      ChooseVariants(vocab, lowercase_candidates, context, options.variants);
  tr.Step("variant_choice", &t0);
  // One thread: the expansions ask the dictionary beside it, and Hunspell gains little from a
  // second thread (about 1.4x) for the ~40 ms a further handle takes to load.
  DropKnownVariants(vocab, options.variants, 1, &variants);
  tr.Step("variant_dictionary", &t0);
  std::vector<std::pair<std::u32string, std::u32string>> confident;
  for (const Variant& v : variants) {
    if (v.score < options.variants.error_min_score) continue;
    confident.emplace_back(DecodeUtf8(vocab.term(v.variant)), DecodeUtf8(vocab.term(v.word)));
  }
  out->errors =
      ErrorModel::Learn(confident, ErrorModel::Default(), options.variants.error_prior_edits,
                        options.variants.typing_weight, &out->error_counts);
  out->spelling = BuildSpellingVocabulary(vocab, options.spelling);
  absl::flat_hash_map<std::string_view, size_t> entry_of;
  for (size_t i = 0; i < out->spelling.size(); ++i) entry_of[out->spelling[i].word] = i;
  for (const Variant& v : variants) {
    out->corrections.push_back(
        Correction{std::string(vocab.term(v.variant)), std::string(vocab.term(v.word)), v.score});
    auto it = entry_of.find(vocab.term(v.word));
    if (it == entry_of.end()) continue;
    auto& list = out->spelling[it->second].variants;
    if (static_cast<int>(list.size()) < options.variants.max_variants) {
      list.emplace_back(vocab.term(v.variant));
    }
  }
  std::sort(out->corrections.begin(), out->corrections.end(),
            [](const Correction& a, const Correction& b) { return a.variant < b.variant; });
}

// The expansions lexicon from the mined acronyms and related terms, the units' corpus forms and
// the function words (see MineExpansions).
std::vector<ExpansionEntry> QueryExpansions(const Vocabulary& vocab, const CorpusCounts& counts,
                                            const std::vector<Unit>& units,
                                            const absl::flat_hash_set<uint64_t>& coordinated,
                                            const std::vector<Acronym>& acronyms,
                                            const std::vector<RelatedEntry>& related,
                                            const LexiconOptions& options) {
  ExpansionInputs in;
  in.function_words = FunctionWords(vocab, counts.totals.documents, options.language,
                                    options.expansions.function_words);
  // An acronym is a content word however evenly a corpus spreads it, unless the language's own
  // list says otherwise ("it", "us").
  const auto& listed = DefaultFunctionWords(options.language);
  for (const Acronym& a : acronyms) {
    const std::string folded = absl::AsciiStrToLower(a.short_form);
    if (std::find(listed.begin(), listed.end(), folded) == listed.end()) {
      in.function_words.erase(folded);
    }
  }
  std::vector<std::string_view> words;
  for (const Unit& u : units) {
    if (u.word != Vocabulary::kNone) words.push_back(u.text);
  }
  in.forms = WordForms(
      words,
      [&](std::string_view w) {
        const uint32_t id = vocab.Find(w);
        return id == Vocabulary::kNone ? uint64_t{0} : vocab.stats(id).frequency;
      },
      options.expansions);
  in.coordinated = [&](std::string_view a, std::string_view b) {
    const uint32_t x = vocab.Find(a), y = vocab.Find(b);
    return x != Vocabulary::kNone && y != Vocabulary::kNone &&
           coordinated.contains(BigramKey(std::min(x, y), std::max(x, y)));
  };
  in.acronyms = acronyms;  // views: both outlive the call
  in.related = related;
  return MineExpansions(in, options.expansions);
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

// The variants, and beside them when that pays the expansions (from the acronyms and related
// terms; they write other members of *out).
void MineVariantsAndExpansions(const Vocabulary& vocab, const CorpusCounts& counts,
                               const std::vector<Unit>& units, const UnitMap& map,
                               const std::vector<VariantCandidate>& candidates,
                               const absl::flat_hash_set<uint64_t>& coordinated,
                               const CooccurrenceCounts& cooc, const UnitVectors& vectors,
                               const LexiconOptions& options, int threads, Lexicons* out,
                               MiningTrace& tr) {
  MiningTrace side_trace;
  std::vector<ExpansionEntry> expansions;
  // Beside only when each side has a Hunspell handle ready: on a small corpus, loading a second
  // (~40 ms) costs more than the overlap saves.
  const Dictionary* d = options.variants.dictionary.get();
  RunBeside(
      threads > 1 && (d == nullptr || d->IdleHandles() >= 2),
      [&] {
        const auto t = std::chrono::steady_clock::now();
        MineVariants(vocab, map, candidates, cooc, vectors, options, threads, out, tr);
        tr.AddStage("variants", t);
      },
      [&] {
        const auto t = std::chrono::steady_clock::now();
        expansions = QueryExpansions(vocab, counts, units, coordinated, out->acronyms, out->related,
                                     options);
        side_trace.AddStage("expansions", t);
      });
  out->expansions = std::move(expansions);
  tr.stages.insert(tr.stages.end(), side_trace.stages.begin(), side_trace.stages.end());
}

}  // namespace

absl::Status LoadDictionary(LexiconOptions* options) {
  options->variants.dictionary = nullptr;
  options->expansions.dictionary = nullptr;
  if (options->language == "none") return absl::OkStatus();
  Dictionary::Options o;
  o.language = options->language;
  NJ_ASSIGN_OR_RETURN(std::unique_ptr<Dictionary> d, Dictionary::Open(o));
  std::shared_ptr<const Dictionary> shared = std::move(d);
  options->variants.dictionary = shared;
  options->expansions.dictionary = shared;
  return absl::OkStatus();
}

absl::StatusOr<Lexicons> MineLexicons(const CorpusCounts& counts, const SourceFactory& reopen,
                                      const TokenizerOptions& tokenizer,
                                      const LexiconOptions& options, int threads,
                                      std::vector<FieldCache> first_pass, MiningTrace* trace) {
  MiningTrace ignored;
  MiningTrace& tr = trace != nullptr ? *trace : ignored;
  Lexicons out;
  const Vocabulary vocab(counts.terms, 1);

  auto t = std::chrono::steady_clock::now();
  std::vector<FieldCache> caches;  // the tokenized text, one cache per thread, for pass 3
  NJ_ASSIGN_OR_RETURN(PhraseCounts phrase_counts,
                      PhrasePass(counts, vocab, reopen, tokenizer, options, threads,
                                 std::move(first_pass), &caches, tr));
  auto step = t;
  tr.Step("phrase_counts", &step);
  // Two Hunspell handles, one for the variants and one for the expansions beside them, load
  // while the next steps run (~40 ms each; the phrase selection mostly leaves a core idle).
  absl::Status loaded;
  std::jthread loader;
  const Dictionary* d = options.variants.dictionary.get();
  if (d != nullptr && threads > 1) loader = std::jthread([&] { loaded = d->Preload(2); });
  std::optional<PhraseSet> phrases;
  absl::flat_hash_set<uint64_t> coordinated;
  SelectFromPhraseCounts(vocab, phrase_counts, options, threads, &phrases, &coordinated, &out, tr);
  phrase_counts = PhraseCounts();  // the third pass's maps peak later: free these first
  tr.AddStage("phrase_pass", t);

  t = std::chrono::steady_clock::now();
  UnitMap map;
  const std::vector<Unit> units = SelectUnits(vocab, *phrases, options.related, &map);
  const std::vector<VariantCandidate> candidates =
      SpellingCandidates(vocab, options, threads, &map, tr);
  tr.AddStage("variants", t);

  t = std::chrono::steady_clock::now();
  NJ_ASSIGN_OR_RETURN(CooccurrenceCounts cooc,
                      ContextPass(vocab, map, reopen, tokenizer, options, threads, caches, tr));
  tr.AddStage("context_pass", t);

  t = std::chrono::steady_clock::now();
  UnitVectors vectors;
  out.related =
      MineRelated(units, map, std::move(cooc.pairs), options.related, threads, &vectors, tr);
  tr.AddStage("related", t);

  if (loader.joinable()) {
    t = std::chrono::steady_clock::now();
    loader.join();
    tr.Step("dictionary_wait", &t);
  }
  NJ_RETURN_IF_ERROR(loaded);
  MineVariantsAndExpansions(vocab, counts, units, map, candidates, coordinated, cooc, vectors,
                            options, threads, &out, tr);
  return out;
}

}  // namespace nightjar
