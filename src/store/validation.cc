#include "store/validation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <type_traits>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

constexpr std::string_view kGateNames[] = {
    "schema",           "score_range", "clean_terms", "no_self_variants", "no_correction_cycles",
    "bounded_variants", "size_band",   "canaries",    "top_overlap"};

std::string Clip(std::string_view s) {
  return std::string(s.substr(0, 80)) + (s.size() > 80 ? "..." : "");
}

}  // namespace

bool ValidationReport::passed() const {
  return std::all_of(gates.begin(), gates.end(), [](const GateResult& g) { return g.passed; });
}

std::string ValidationReport::FirstFailure() const {
  for (const auto& g : gates) {
    if (!g.passed) return fmt::format("{}: {}", g.name, g.detail);
  }
  return "";
}

std::string ValidationReport::Json() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("passed").Bool(passed());
  w.Key("gates").BeginArray();
  for (const auto& g : gates) {
    w.BeginObject();
    w.Key("name").String(g.name).Key("enabled").Bool(g.enabled).Key("passed").Bool(g.passed);
    w.Key("failures").Uint(g.failures).Key("detail").String(g.detail);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

VersionValidator::VersionValidator(ValidationOptions options) : options_(std::move(options)) {
  const bool enabled[] = {options_.schema,
                          options_.score_range,
                          options_.clean_terms,
                          options_.no_self_variants,
                          options_.no_correction_cycles,
                          options_.bounded_variants,
                          options_.size_band,
                          options_.canaries,
                          options_.top_overlap};
  for (size_t i = 0; i < std::size(kGateNames); ++i) {
    GateResult g;
    g.name = std::string(kGateNames[i]);
    g.enabled = enabled[i];
    gates_.push_back(std::move(g));
  }
  for (const auto& w : options_.canary_words) canaries_seen_[w] = false;
}

GateResult& VersionValidator::Gate(std::string_view name) {
  return *std::find_if(gates_.begin(), gates_.end(),
                       [&](const GateResult& g) { return g.name == name; });
}

void VersionValidator::Fail(std::string_view gate, std::string_view lexicon,
                            std::string_view what) {
  GateResult& g = Gate(gate);
  if (!g.enabled) return;
  if (g.failures++ == 0) g.detail = fmt::format("{}: {}", lexicon, what);
  g.passed = false;
}

void VersionValidator::Observe(std::string_view lexicon, std::string_view record) {
  absl::StatusOr<AnyRecord> parsed = ParseRecord(lexicon, record);
  if (!parsed.ok()) {
    Fail("schema", lexicon,
         fmt::format("{} in {}", std::string(parsed.status().message()), Clip(record)));
    return;
  }
  std::visit(
      [&](const auto& r) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(r)>, std::monostate>) {
          r.ForEachTerm([&](std::string_view t) {
            if (!IsCleanTerm(t)) {
              Fail("clean_terms", lexicon, "empty or control-character term in " + Clip(record));
            }
          });
          r.ForEachScore([&](std::string_view what, double score) {
            if (!IsUnitScore(score)) {
              Fail("score_range", lexicon,
                   fmt::format("score {} for \"{}\" in {}", score, what, Clip(record)));
            }
          });
          ObserveLinks(r);
        }
      },
      *parsed);
}

void VersionValidator::ObserveLinks(const SpellingRecord& r) {
  if (options_.bounded_variants &&
      r.variants.size() > static_cast<size_t>(options_.max_variants_per_word)) {
    Fail("bounded_variants", kSpellingLexicon,
         fmt::format("\"{}\" has {} variants (max {})", r.word, r.variants.size(),
                     options_.max_variants_per_word));
  }
  for (std::string_view v : r.variants) {
    if (v == r.word) {
      Fail("no_self_variants", kSpellingLexicon, fmt::format("\"{}\" lists itself", r.word));
    }
    corrections_.emplace(std::string(v), std::string(r.word));
  }
  if (auto it = canaries_seen_.find(std::string(r.word)); it != canaries_seen_.end()) {
    it->second = true;
  }
  ObserveTop(r.frequency, r.word);
}

void VersionValidator::ObserveTop(uint64_t frequency, std::string_view word) {
  if (options_.top_k <= 0) return;
  auto cmp = std::greater<>();
  if (top_.size() < static_cast<size_t>(options_.top_k)) {
    top_.emplace_back(frequency, std::string(word));
    std::push_heap(top_.begin(), top_.end(), cmp);
  } else if (frequency > top_.front().first) {
    std::pop_heap(top_.begin(), top_.end(), cmp);
    top_.back() = {frequency, std::string(word)};
    std::push_heap(top_.begin(), top_.end(), cmp);
  }
}

void VersionValidator::Absorb(const VersionValidator& other) {
  for (const GateResult& theirs : other.gates_) {
    GateResult& ours = Gate(theirs.name);
    if (!ours.enabled || theirs.failures == 0) continue;
    if (ours.failures == 0) ours.detail = theirs.detail;
    ours.failures += theirs.failures;
    ours.passed = false;
  }
  for (const auto& [variant, word] : other.corrections_) corrections_.emplace(variant, word);
  for (const auto& [frequency, word] : other.top_) ObserveTop(frequency, word);
  for (const auto& [word, seen] : other.canaries_seen_) {
    if (seen) canaries_seen_[word] = true;
  }
}

void VersionValidator::ObserveLinks(const CorrectionRecord& r) {
  if (r.variant == r.word) {
    Fail("no_self_variants", kCorrectionsLexicon, fmt::format("\"{}\" corrects to itself", r.word));
  }
  corrections_[std::string(r.variant)] = std::string(r.word);
}

std::vector<std::string> VersionValidator::TopWords() const {
  auto sorted = top_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (auto& [f, w] : sorted) out.push_back(w);
  return out;
}

ValidationReport VersionValidator::Finish(const std::vector<LexiconFileInfo>& files,
                                          const Manifest* active) {
  if (options_.no_correction_cycles) CheckCorrectionCycles();
  if (options_.canaries) CheckCanaries();
  if (options_.size_band) CheckSizeBand(files, active);
  if (options_.top_overlap) CheckTopOverlap(active);
  for (auto& g : gates_) {
    if (!g.enabled) {
      g.passed = true;
      g.detail = "disabled";
    } else if (g.passed && g.detail.empty()) {
      g.detail = "ok";
    }
  }
  return ValidationReport{gates_};
}

// From each start, follows variant -> word; a chain that returns to a term it passed is a cycle
// (self-maps are the no_self_variants gate's).
void VersionValidator::CheckCorrectionCycles() {
  absl::flat_hash_map<std::string_view, int> done;  // 1 = on the current path, 2 = finished
  for (const auto& [start, unused] : corrections_) {
    std::vector<std::string_view> path;
    std::string_view at = start;
    while (true) {
      auto d = done.find(at);
      if (d != done.end()) {
        if (d->second == 1) {
          Fail("no_correction_cycles", "corrections",
               fmt::format("\"{}\" leads back to itself", at));
        }
        break;
      }
      done[at] = 1;
      path.push_back(at);
      auto next = corrections_.find(std::string(at));
      if (next == corrections_.end() || next->second == at) break;
      at = next->second;
    }
    for (auto p : path) done[p] = 2;
  }
}

void VersionValidator::CheckCanaries() {
  std::vector<std::string> missing;
  for (const auto& [w, seen] : canaries_seen_) {
    if (!seen) missing.push_back(w);
  }
  std::sort(missing.begin(), missing.end());
  GateResult& g = Gate("canaries");
  g.failures = missing.size();
  g.passed = missing.empty();
  g.detail = missing.empty() ? fmt::format("{} canary words present", canaries_seen_.size())
                             : fmt::format("missing from spelling: {}", fmt::join(missing, ", "));
}

void VersionValidator::CheckSizeBand(const std::vector<LexiconFileInfo>& files,
                                     const Manifest* active) {
  GateResult& g = Gate("size_band");
  if (active == nullptr) {
    g.detail = "no active version to compare with";
    return;
  }
  std::vector<std::string> out_of_band;
  for (const auto& f : files) {
    const LexiconFileInfo* was = active->Lexicon(f.name);
    if (was == nullptr || was->records < options_.size_band_min_records) continue;
    const uint64_t old = was->records;
    const double lo = static_cast<double>(old) * (1 - options_.max_size_change);
    const double hi = static_cast<double>(old) * (1 + options_.max_size_change);
    if (static_cast<double>(f.records) < lo || static_cast<double>(f.records) > hi) {
      out_of_band.push_back(fmt::format("{} {} records vs {} active (allowed {:.0f}..{:.0f})",
                                        f.name, f.records, old, lo, hi));
    }
  }
  // A lexicon the active version had that this one lacks is out of band too.
  for (const LexiconFileInfo& was : active->lexicons) {
    if (was.records < options_.size_band_min_records) continue;
    bool present = std::any_of(files.begin(), files.end(),
                               [&](const LexiconFileInfo& f) { return f.name == was.name; });
    if (!present) {
      out_of_band.push_back(fmt::format("{} missing ({} active)", was.name, was.records));
    }
  }
  g.failures = out_of_band.size();
  g.passed = out_of_band.empty();
  g.detail = out_of_band.empty()
                 ? fmt::format("every lexicon within ±{:.0f}% of the active version",
                               options_.max_size_change * 100)
                 : fmt::format("{}", fmt::join(out_of_band, "; "));
}

void VersionValidator::CheckTopOverlap(const Manifest* active) {
  GateResult& g = Gate("top_overlap");
  if (active == nullptr || active->top_words.empty()) {
    g.detail = "no active version top words to compare with";
    return;
  }
  absl::flat_hash_set<std::string> now;
  for (auto& [f, w] : top_) now.insert(w);
  size_t kept = 0;
  const size_t total = active->top_words.size();
  for (const std::string& w : active->top_words) kept += now.contains(w) ? 1 : 0;
  const double share = total == 0 ? 1.0 : static_cast<double>(kept) / static_cast<double>(total);
  g.passed = share >= options_.min_top_overlap;
  g.failures = g.passed ? 0 : 1;
  g.detail = fmt::format("{} of the active version's top {} words kept ({:.1f}%, floor {:.1f}%)",
                         kept, total, share * 100, options_.min_top_overlap * 100);
}

}  // namespace nightjar
