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
#include "lexicon/mining_passes.h"
#include "lexicon/nearest.h"
#include "text/edit_distance.h"
#include "util/parallel.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

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
                                      std::vector<FieldCache> first_pass, MiningTrace* trace,
                                      PassCounts* given) {
  MiningTrace ignored;
  MiningTrace& tr = trace != nullptr ? *trace : ignored;
  Lexicons out;
  const Vocabulary vocab(counts.terms, 1);

  auto t = std::chrono::steady_clock::now();
  std::vector<FieldCache> caches;  // the tokenized text, one cache per thread, for pass 3
  PhraseCounts phrase_counts;
  if (given != nullptr) {
    phrase_counts = std::move(given->phrases);
    if (counts.abbreviations_counted) phrase_counts.abbreviations = counts.abbreviations;
  } else {
    NJ_ASSIGN_OR_RETURN(phrase_counts, PhrasePass(counts, vocab, reopen, tokenizer, options,
                                                  threads, std::move(first_pass), &caches, tr));
  }
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
  CooccurrenceCounts cooc;
  if (given != nullptr) {
    cooc = std::move(given->contexts);
  } else {
    NJ_ASSIGN_OR_RETURN(cooc,
                        ContextPass(vocab, map, reopen, tokenizer, options, threads, caches, tr));
  }
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
