#include "lexicon/variants.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "count/ngram_table.h"
#include "text/edit_distance.h"
#include "util/file_util.h"
#include "util/json_writer.h"
#include "util/parallel.h"

namespace nightjar {
namespace {

// Words made of letters (and inner apostrophes or hyphens): tokens with digits are codes,
// versions and dates, whose near neighbours are other codes, not misspellings.
bool IsWordLike(std::string_view s) {
  bool letter = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') return false;
    letter |= ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || static_cast<unsigned char>(c) >= 0x80;
  }
  return letter;
}

}  // namespace

bool WrittenAsName(const CaseCounts& variant, const CaseCounts& word,
                   const VariantOptions& options) {
  if (variant.occurrences < options.name_min_count) return false;
  const auto share = [](const CaseCounts& c) {
    return c.occurrences == 0
               ? 0.0
               : static_cast<double>(c.capitalized) / static_cast<double>(c.occurrences);
  };
  return share(variant) >= options.name_share && share(word) < 0.5;
}

bool IsInflection(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.substr(0, a.size()) != a) return false;
  std::string_view suffix = b.substr(a.size());
  // A word ending in s takes -es, and only one ending in e takes a bare -d: "acces" + s and
  // "woul" + d are a letter dropped from "access" and "would", not their stems.
  if (suffix == "s") return !a.ends_with('s');
  if (suffix == "d") return a.ends_with('e');
  for (std::string_view s : {"es", "'s", "ed", "ing", "er", "est", "ly", "'"}) {
    if (suffix == s) return true;
  }
  return false;
}

absl::Status LoadProtectedWords(const TokenizerOptions& tokenizer, VariantOptions* options) {
  if (options->protected_words_file.empty()) return absl::OkStatus();
  auto text = ReadFile(options->protected_words_file);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("variants.protected_words_file: {}",
                    std::string(text.status().message())));  // NOLINT(google-readability-casting)
  }
  auto words = std::make_shared<absl::flat_hash_set<std::string>>();
  Tokenizer fold(tokenizer);
  std::string_view rest = *text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    int tokens = 0;
    std::string folded;
    fold.Tokenize(line, [&](const Token& t) {
      if (++tokens == 1) folded = std::string(t.folded);
    });
    if (tokens == 1) words->insert(std::move(folded));
  }
  options->protected_words = std::move(words);
  return absl::OkStatus();
}

namespace {

// Tokens this short are variants only by edits cheaper than an ordinary one ("teh", "fom", not
// "thx" for "the").
constexpr size_t kShortTokenChars = 3;
// Fewer occurrences are too few to call a token repeated within its documents.
constexpr uint64_t kMinRepeatedOccurrences = 8;

// FindVariantCandidates over the vocabulary ids [lo, hi).
std::vector<VariantCandidate> CandidatesIn(const Vocabulary& vocab, const DeleteIndex& index,
                                           const DeleteIndex* rare, const VariantOptions& options,
                                           uint32_t lo, uint32_t hi) {
  std::vector<VariantCandidate> out;
  const double top = static_cast<double>(vocab.stats(0).frequency);
  const double common = std::max(
      static_cast<double>(options.min_common_count),
      options.max_variant_per_million * static_cast<double>(vocab.total_frequency()) / 1e6);
  // A different first letter costs first_letter_cost, which leaves room for fewer edits.
  const int first_differs = std::max(
      0, static_cast<int>(std::floor(
             (options.max_typing_cost - options.first_letter_cost) / kMinTypingEditCost + 1e-9)));
  for (uint32_t v = lo; v < hi; ++v) {
    const TermStats& sv = vocab.stats(v);
    const double fv = static_cast<double>(sv.frequency);
    std::string_view t = vocab.term(v);
    const size_t chars = CountChars(t);
    const double ratio = options.MinRatio(sv.frequency, chars);
    if (fv * ratio > top || fv > common) continue;  // too common to be a misspelling
    // Repeated within few documents: a word of those documents (a foreign word, a name, an
    // identifier), where a typo's occurrences scatter.
    if (sv.frequency >= kMinRepeatedOccurrences &&
        fv >= options.max_repeats_per_document *
                  static_cast<double>(std::max<uint64_t>(sv.doc_frequency, 1))) {
      continue;
    }
    if (chars < options.min_variant_chars || !IsWordLike(t)) continue;
    if (options.protected_words && options.protected_words->contains(std::string(t))) continue;
    const std::u32string typed = DecodeUtf8(t);
    // Ids are frequency ranks: only those of words at least min_ratio times as frequent, and
    // for a possible frequent misspelling, at one edit, those `ratio` times as frequent.
    const uint32_t usual =
        vocab.CountAtLeast(static_cast<uint64_t>(std::ceil(fv * options.min_ratio)));
    const uint32_t reach = vocab.CountAtLeast(static_cast<uint64_t>(std::ceil(fv * ratio)));
    if (reach == 0) continue;
    // A match of `idx`, whose ids start at vocabulary id `base`.
    auto consider = [&](const DeleteIndex& idx, const DeleteIndex::Match& m, uint32_t base) {
      const uint32_t id = m.id + base;
      if (id == v) return;
      const double fw = static_cast<double>(vocab.stats(id).frequency);
      if (fw < fv * ratio) return;
      // The cheap tests first: most matches are two edits away, and fail on length or on their
      // cheapest possible typing cost.
      const std::u32string_view intended = idx.decoded(m.id);
      const int limit = idx.max_distance(m.id);  // 1 for short words
      const double first = typed[0] != intended[0] ? options.first_letter_cost : 0.0;
      if (first + kMinTypingEditCost * m.distance > options.max_typing_cost) return;
      std::string_view w = vocab.term(id);
      // A token that is a word plus a suffix is that word's other form, not a typo of it. The
      // other way round, a token that a suffix would make into the word ("abandone" + d) is
      // its stem only if it is a word: with a dictionary, a word it knows is never a variant
      // (DropKnownVariants), so the pair stays and the dictionary decides.
      if (!IsWordLike(w)) return;
      if (IsInflection(t, w) && (!options.dictionary || t.size() > w.size())) return;
      const double cost = TypingCost(typed, intended, limit) + first;
      if (cost > options.max_typing_cost) return;
      // A token of three letters is one edit from dozens of words: an ordinary substitution or
      // insertion does not count.
      if (typed.size() <= kShortTokenChars && cost - first >= 1.0) return;
      // A frequent misspelling is one likely edit from its word (and so keeps its first letter).
      const bool frequent_misspelling = fw < fv * options.min_ratio;
      if (frequent_misspelling && cost > kMinTypingEditCost) return;
      out.push_back(VariantCandidate{v, id, m.distance, cost, frequent_misspelling});
    };
    for (const auto& m : index.Lookup(t, options.max_distance, usual, first_differs)) {
      consider(index, m, 0);
    }
    if (reach > usual) {
      // The words only a frequent misspelling reaches: one likely edit, so one edit and the
      // same first letter; in the index past `usual`, and below it in `rare`.
      for (const auto& m : index.Lookup(t, 1, reach, 0)) {
        if (m.id >= usual) consider(index, m, 0);
      }
      const auto base = static_cast<uint32_t>(index.size());
      if (rare != nullptr && reach > base) {
        for (const auto& m : rare->Lookup(t, 1, reach - base, 0)) consider(*rare, m, base);
      }
    }
  }
  return out;
}

}  // namespace

void DropKnownVariants(const Vocabulary& vocab, const VariantOptions& options, int threads,
                       std::vector<Variant>* variants) {
  if (!options.dictionary || variants->empty()) return;
  std::vector<uint8_t> known(variants->size());
  // A thread more only for many variants: each thread past the first loads its own Hunspell
  // handle (~50 ms), the time of ~25,000 questions (~2 us each).
  const auto n = std::clamp<size_t>(variants->size() / 25000 + 1, 1,
                                    static_cast<size_t>(std::max(threads, 1)));
  ParallelFor(n, [&](size_t t) {
    for (size_t i = t; i < variants->size(); i += n) {
      const Variant& v = (*variants)[i];
      known[i] = options.dictionary->Knows(vocab.term(v.variant)) ||
                 (v.frequent_misspelling && !options.dictionary->Knows(vocab.term(v.word)));
    }
  });
  size_t kept = 0;
  for (size_t i = 0; i < variants->size(); ++i) {
    if (!known[i]) (*variants)[kept++] = (*variants)[i];
  }
  variants->resize(kept);
}

std::vector<VariantCandidate> FindVariantCandidates(const Vocabulary& vocab,
                                                    const DeleteIndex& index,
                                                    const VariantOptions& options, int threads,
                                                    const DeleteIndex* rare) {
  if (index.size() == 0 || vocab.size() == 0) return {};
  // Interleaved slices of 1024 ids, so that every thread gets its share of the rare words (most
  // of the work) wherever they sit; the slices are concatenated back in id order.
  constexpr uint32_t kSlice = 1024;
  const uint32_t slices = (vocab.size() + kSlice - 1) / kSlice;
  std::vector<std::vector<VariantCandidate>> parts(slices);
  std::atomic<uint32_t> next{0};
  auto work = [&] {
    for (uint32_t s; (s = next.fetch_add(1)) < slices;) {
      parts[s] = CandidatesIn(vocab, index, rare, options, s * kSlice,
                              std::min(vocab.size(), (s + 1) * kSlice));
    }
  };
  ParallelFor(threads, [&](int) { work(); });
  std::vector<VariantCandidate> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<Variant> ChooseVariants(const Vocabulary& vocab,
                                    const std::vector<VariantCandidate>& candidates,
                                    const std::function<double(uint32_t, uint32_t)>& context,
                                    const VariantOptions& options) {
  std::vector<Variant> out;
  // Candidates arrive grouped by variant.
  for (size_t i = 0; i < candidates.size();) {
    size_t j = i;
    while (j < candidates.size() && candidates[j].variant == candidates[i].variant) ++j;
    double best_logit = -1e300, sum = 0, best_ctx = 0;
    uint32_t best_word = 0;
    bool best_frequent = false;
    std::vector<double> logits;
    for (size_t c = i; c < j; ++c) {
      const auto& cand = candidates[c];
      const double ctx = context(cand.variant, cand.word);
      const double logit = std::log(static_cast<double>(vocab.stats(cand.word).frequency)) -
                           options.typing_weight * cand.typing_cost + options.context_weight * ctx;
      logits.push_back(logit);
      if (logit > best_logit) {
        best_logit = logit;
        best_word = cand.word;
        best_ctx = ctx;
        best_frequent = cand.frequent_misspelling;
      }
    }
    for (double l : logits) sum += std::exp(l - best_logit);
    if (best_ctx >= (best_frequent ? options.dictionary_min_context : options.min_context)) {
      const double share = 1.0 / sum;
      const double evidence = std::clamp(0.5 + best_ctx, 0.0, 1.0);
      out.push_back(Variant{candidates[i].variant, best_word, share * evidence, best_frequent});
    }
    i = j;
  }
  std::sort(out.begin(), out.end(), [](const Variant& a, const Variant& b) {
    if (a.word != b.word) return a.word < b.word;
    if (a.score != b.score) return a.score > b.score;
    return a.variant < b.variant;
  });
  return out;
}

}  // namespace nightjar
