#include "store/validation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/container/flat_hash_set.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

constexpr std::string_view kGateNames[] = {
    "schema",           "score_range", "clean_terms", "no_self_variants", "no_correction_cycles",
    "bounded_variants", "size_band",   "canaries",    "top_overlap"};

// A term is clean when non-empty and free of C0/C1 control characters and DEL.
bool CleanTerm(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      return false;
    }
  }
  return true;
}

std::string Clip(std::string_view s) {
  return std::string(s.substr(0, 80)) + (s.size() > 80 ? "..." : "");
}

// What each record of a lexicon must hold.
enum class Kind { kString, kUint, kNumber, kStringArray, kScoredArray };
struct FieldRule {
  const char* name;
  Kind kind;
  bool term = false;   // checked by clean_terms
  bool score = false;  // checked by score_range
};

const std::vector<FieldRule>* RulesFor(std::string_view lexicon) {
  static const std::map<std::string, std::vector<FieldRule>, std::less<>> rules{
      {"spelling",
       {{"word", Kind::kString, true},
        {"frequency", Kind::kUint},
        {"doc_frequency", Kind::kUint},
        {"variants", Kind::kStringArray, true},
        {"version", Kind::kString}}},
      {"corrections",
       {{"variant", Kind::kString, true},
        {"word", Kind::kString, true},
        {"score", Kind::kNumber, false, true},
        {"version", Kind::kString}}},
      {"related",
       {{"word", Kind::kString, true},
        {"related_terms", Kind::kScoredArray, true, true},
        {"version", Kind::kString},
        {"last_updated", Kind::kString}}},
      {"expansions",
       {{"term", Kind::kString, true},
        {"expansions", Kind::kScoredArray, true, true},
        {"max_expansions", Kind::kUint},
        {"version", Kind::kString}}},
      {"phrases",
       {{"phrase", Kind::kString, true},
        {"count", Kind::kUint},
        {"score", Kind::kNumber, false, true},
        {"version", Kind::kString}}},
      {"acronyms",
       {{"short_form", Kind::kString, true},
        {"long_form", Kind::kString, true},
        {"count", Kind::kUint},
        {"confidence", Kind::kNumber, false, true},
        {"version", Kind::kString}}},
      {"vocabulary", {{"word", Kind::kString, true}, {"frequency", Kind::kUint}}},
      {"ngrams",
       {{"ngram", Kind::kString, true},
        {"n", Kind::kUint},
        {"frequency", Kind::kUint},
        {"term_count", Kind::kUint},
        {"version", Kind::kString}}},
  };
  auto it = rules.find(lexicon);
  return it == rules.end() ? nullptr : &it->second;
}

bool InUnit(double x) { return std::isfinite(x) && x >= 0.0 && x <= 1.0; }

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
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(record.data(), record.size()).get(doc) || doc.get(obj)) {
    Fail("schema", lexicon, "record is not a JSON object: " + Clip(record));
    return;
  }
  const auto* rules = RulesFor(lexicon);
  if (rules == nullptr) return;  // a lexicon this build does not know: only JSON is required
  auto term = [&](std::string_view t) {
    if (!CleanTerm(t)) {
      Fail("clean_terms", lexicon, "empty or control-character term in " + Clip(record));
    }
  };
  for (const FieldRule& rule : *rules) {
    simdjson::dom::element v;
    if (obj[rule.name].get(v)) {
      Fail("schema", lexicon, fmt::format("missing \"{}\" in {}", rule.name, Clip(record)));
      continue;
    }
    bool ok = true;
    switch (rule.kind) {
      case Kind::kString: {
        std::string_view s;
        ok = !v.get(s);
        if (ok && rule.term) term(s);
        break;
      }
      case Kind::kUint:
        ok = v.is_uint64() || (v.is_int64() && static_cast<int64_t>(v) >= 0);
        break;
      case Kind::kNumber: {
        double d = 0;
        ok = v.is_number() && !v.get(d);
        if (ok && rule.score && !InUnit(d)) {
          Fail("score_range", lexicon, fmt::format("{} = {} in {}", rule.name, d, Clip(record)));
        }
        break;
      }
      case Kind::kStringArray: {
        simdjson::dom::array a;
        ok = !v.get(a);
        if (!ok) break;
        for (auto x : a) {
          std::string_view s;
          if (x.get(s)) {
            ok = false;
            break;
          }
          term(s);
        }
        break;
      }
      case Kind::kScoredArray: {
        simdjson::dom::array a;
        ok = !v.get(a);
        if (!ok) break;
        for (auto x : a) {
          std::string_view t;
          double sc = 0;
          if (x["term"].get(t) || x["score"].get(sc)) {
            ok = false;
            break;
          }
          term(t);
          if (!InUnit(sc)) {
            Fail("score_range", lexicon,
                 fmt::format("score {} for \"{}\" in {}", sc, t, Clip(record)));
          }
        }
        break;
      }
    }
    if (!ok) {
      Fail("schema", lexicon,
           fmt::format("\"{}\" has the wrong type in {}", rule.name, Clip(record)));
    }
  }

  ObserveLinks(lexicon, obj);
}

void VersionValidator::ObserveLinks(std::string_view lexicon, simdjson::dom::object obj) {
  if (lexicon == "spelling") {
    std::string_view word;
    uint64_t f = 0;
    simdjson::dom::array variants;
    if (obj["word"].get(word) || obj["frequency"].get(f)) return;
    if (!obj["variants"].get(variants)) {
      if (options_.bounded_variants &&
          variants.size() > static_cast<size_t>(options_.max_variants_per_word)) {
        Fail("bounded_variants", lexicon,
             fmt::format("\"{}\" has {} variants (max {})", word, variants.size(),
                         options_.max_variants_per_word));
      }
      for (auto x : variants) {
        std::string_view s;
        if (x.get(s)) continue;
        if (s == word) Fail("no_self_variants", lexicon, fmt::format("\"{}\" lists itself", word));
        corrections_.emplace(std::string(s), std::string(word));
      }
    }
    if (auto it = canaries_seen_.find(std::string(word)); it != canaries_seen_.end()) {
      it->second = true;
    }
    if (options_.top_k > 0) {
      auto cmp = std::greater<>();
      if (top_.size() < static_cast<size_t>(options_.top_k)) {
        top_.emplace_back(f, std::string(word));
        std::push_heap(top_.begin(), top_.end(), cmp);
      } else if (f > top_.front().first) {
        std::pop_heap(top_.begin(), top_.end(), cmp);
        top_.back() = {f, std::string(word)};
        std::push_heap(top_.begin(), top_.end(), cmp);
      }
    }
  } else if (lexicon == "corrections") {
    std::string_view variant, word;
    if (obj["variant"].get(variant) || obj["word"].get(word)) return;
    if (variant == word) {
      Fail("no_self_variants", lexicon, fmt::format("\"{}\" corrects to itself", word));
    }
    corrections_[std::string(variant)] = std::string(word);
  }
}

std::vector<std::string> VersionValidator::TopWords() const {
  auto sorted = top_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  for (auto& [f, w] : sorted) out.push_back(w);
  return out;
}

ValidationReport VersionValidator::Finish(const std::vector<LexiconFileInfo>& files,
                                          const Manifest* active) {
  // Correction cycles: from each start, follow variant -> word; a chain that returns to a term
  // it passed is a cycle (self-maps are the no_self_variants gate's).
  if (options_.no_correction_cycles) {
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

  if (options_.canaries) {
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

  const bool have_active = active != nullptr;
  if (options_.size_band) {
    GateResult& g = Gate("size_band");
    if (!have_active) {
      g.detail = "no active version to compare with";
    } else {
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
  }
  if (options_.top_overlap) {
    GateResult& g = Gate("top_overlap");
    if (!have_active || active->top_words.empty()) {
      g.detail = "no active version top words to compare with";
    } else {
      absl::flat_hash_set<std::string> now;
      for (auto& [f, w] : top_) now.insert(w);
      size_t kept = 0;
      const size_t total = active->top_words.size();
      for (const std::string& w : active->top_words) kept += now.contains(w) ? 1 : 0;
      const double share =
          total == 0 ? 1.0 : static_cast<double>(kept) / static_cast<double>(total);
      g.passed = share >= options_.min_top_overlap;
      g.failures = g.passed ? 0 : 1;
      g.detail =
          fmt::format("{} of the active version's top {} words kept ({:.1f}%, floor {:.1f}%)", kept,
                      total, share * 100, options_.min_top_overlap * 100);
    }
  }
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

}  // namespace nightjar
