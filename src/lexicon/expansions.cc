#include "lexicon/expansions.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "lexicon/variants.h"
#include "text/error_model.h"
#include "util/json_writer.h"

namespace nightjar {

std::vector<Expansion> RelatedExpansions(const RelatedEntry& r, const ExpansionOptions& options) {
  // A related term's expansion score is the larger of its related score and its cosine, so
  // that the n-gram share can add morphology but not demote a purely distributional
  // neighbour; the cosine must reach its own floor, so that look-alikes stay out.
  std::vector<Expansion> out;
  for (size_t i = 0; i < r.related.size(); ++i) {
    const float cosine = i < r.distributional.size() ? r.distributional[i] : r.related[i].second;
    const double score = std::max<double>(r.related[i].second, cosine);
    if (score < options.min_related_score || cosine < options.min_related_cosine) continue;
    out.push_back(Expansion{r.related[i].first, std::min(score, 1.0), ""});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Expansion& a, const Expansion& b) { return a.score > b.score; });
  return out;
}

namespace {

std::vector<std::string_view> Words(std::string_view phrase) {
  std::vector<std::string_view> out;
  while (!phrase.empty()) {
    const size_t sp = phrase.find(' ');
    if (sp != 0) out.push_back(phrase.substr(0, sp));
    if (sp == std::string_view::npos) break;
    phrase.remove_prefix(sp + 1);
  }
  return out;
}

// A common stem with derivational endings: "happy" / "happiness", "organize" / "organization"
// (the shorter word may end in up to two letters of its own: the "y" of "happy").
bool SharesAStem(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  size_t common = 0;
  while (common < a.size() && a[common] == b[common]) ++common;
  if (common < 4 || common + 2 < a.size()) return false;
  static const absl::flat_hash_set<std::string> kEndings = {
      "",     "e",     "y",       "s",    "es",    "ed",    "d",    "ing",   "er",   "ers",
      "or",   "ors",   "ly",      "ily",  "ness",  "iness", "ment", "ments", "ion",  "ions",
      "tion", "ation", "ations",  "ity",  "ities", "ive",   "al",   "ally",  "ical", "ically",
      "ist",  "ists",  "ism",     "able", "ible",  "ful",   "less", "ize",   "ized", "izes",
      "ise",  "ised",  "ization", "ance", "ence",  "ant",   "ent",  "ies",   "ied",  "ic",
      "ics",  "ical",  "ian",     "ians", "ship",  "hood",  "ure",  "ures",  "age"};
  return kEndings.contains(std::string(a.substr(common))) &&
         kEndings.contains(std::string(b.substr(common)));
}

// True when one is the other with a negating prefix ("able" / "unable", "legal" / "illegal"):
// a shared stem, the opposite meaning.
bool Negates(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  for (std::string_view prefix : {"un", "in", "im", "il", "ir", "dis", "non", "non-", "anti"}) {
    if (b.size() == prefix.size() + a.size() && b.starts_with(prefix) && b.ends_with(a)) {
      return true;
    }
  }
  return false;
}

// True when `form` is `base` + "ed"/"ing"/"er" without the doubled consonant English spelling
// asks of a one-syllable base ending consonant-vowel-consonant: "hated" is not "hat" + "ed"
// ("hatted" would be), though dictionaries' affix rules may say so.
bool MissesDoubling(std::string_view base, std::string_view form) {
  if (base.size() < 3 || !form.starts_with(base)) return false;
  const std::string_view suffix = form.substr(base.size());
  if (suffix != "ed" && suffix != "ing" && suffix != "er" && suffix != "ers") return false;
  const size_t n = base.size();
  const char last = base[n - 1];
  if (IsVowel(last) || last == 'w' || last == 'x' || last == 'y' || !IsVowel(base[n - 2]) ||
      IsVowel(base[n - 3])) {
    return false;
  }
  int groups = 0;
  for (size_t i = 0; i < n; ++i) groups += IsVowel(base[i]) && (i == 0 || !IsVowel(base[i - 1]));
  return groups == 1;
}

// True when the dictionary gives the two a common stem that both begin with (all but its last
// letter: "study" / "studies"): forms by suffixes. Stems through prefixes are left out: they
// mislead ("returned" / "turned", "program" / "gram").
bool SharedSuffixStem(std::string_view a, std::string_view b, const Dictionary& d,
                      StemCache* cache) {
  // Both must begin with the stem's first three letters: most pairs are settled here, without
  // asking the dictionary.
  if (a.size() < 3 || b.size() < 3 || a.substr(0, 3) != b.substr(0, 3)) return false;
  auto stems = [&](std::string_view w) -> const std::vector<std::string>& {
    auto [it, fresh] = cache->try_emplace(std::string(w));
    if (fresh) it->second = d.Stems(w);
    return it->second;
  };
  const std::vector<std::string>& sa = stems(a);
  const std::vector<std::string>& sb = stems(b);
  for (const std::string& s : sa) {
    if (std::find(sb.begin(), sb.end(), s) == sb.end()) continue;
    const std::string_view head = std::string_view{s}.substr(0, std::max<size_t>(3, s.size() - 1));
    if (a.starts_with(head) && b.starts_with(head)) return true;
  }
  return false;
}

// Two single words, both known to the language's dictionary when there is one: boilerplate
// tokens, codes and names share contexts without meaning the same.
bool MaySynonym(std::string_view a, std::string_view b, const ExpansionOptions& options) {
  if (a.find(' ') != std::string_view::npos || b.find(' ') != std::string_view::npos) return false;
  const Dictionary* d = options.dictionary.get();
  return d == nullptr || (d->Knows(a) && d->Knows(b));
}

}  // namespace

std::string_view MorphologicalKind(std::string_view a, std::string_view b,
                                   const Dictionary* dictionary, StemCache* cache) {
  StemCache local;
  if (cache == nullptr) cache = &local;
  const bool a_phrase = a.find(' ') != std::string_view::npos;
  const bool b_phrase = b.find(' ') != std::string_view::npos;
  if (a_phrase || b_phrase) {
    // A phrase with the other's word ("learning" / "machine learning"), or two phrases sharing
    // one.
    for (std::string_view x : Words(a)) {
      for (std::string_view y : Words(b)) {
        if (x == y) return kPhraseExpansion;
      }
    }
    return "";
  }
  if (Negates(a, b)) return "";
  if (IsInflection(a, b) || SharesAStem(a, b)) return kInflectionExpansion;
  if (dictionary != nullptr && SharedSuffixStem(a, b, *dictionary, cache)) {
    return kInflectionExpansion;
  }
  return "";
}

std::vector<ExpansionEntry> WordForms(const std::vector<std::string_view>& words,
                                      const std::function<uint64_t(std::string_view)>& frequency,
                                      const ExpansionOptions& options) {
  std::vector<ExpansionEntry> out;
  const Dictionary* d = options.dictionary.get();
  StemCache cache;  // each word's stems, asked once
  for (std::string_view w : words) {
    const uint64_t fw = frequency(w);
    if (fw == 0 || w.size() < 3) continue;
    const std::string s(w);
    std::vector<std::string> forms;
    for (const char* suffix : {"s", "es", "ed", "ing", "er", "ers", "ly"}) {
      forms.push_back(s + suffix);
    }
    if (s.back() == 'e') {
      forms.push_back(s + "d");
      forms.push_back(s.substr(0, s.size() - 1) + "ing");
    }
    if (s.back() == 'y') {
      forms.push_back(s.substr(0, s.size() - 1) + "ies");
      forms.push_back(s.substr(0, s.size() - 1) + "ied");
    }
    for (std::string_view suffix : {"s", "es", "ed", "d", "ing", "ly"}) {
      if (s.size() > suffix.size() + 2 && w.ends_with(suffix)) {
        forms.push_back(s.substr(0, s.size() - suffix.size()));
        if (suffix == "ing" || suffix == "ed") forms.push_back(forms.back() + "e");
      }
    }
    if (s.size() > 5 && (w.ends_with("ies") || w.ends_with("ied"))) {
      forms.push_back(s.substr(0, s.size() - 3) + "y");
    }
    ExpansionEntry e{s, {}};
    for (const std::string& f : forms) {
      const uint64_t ff = frequency(f);
      if (ff < options.min_form_frequency || f == s) continue;
      if (std::any_of(e.expansions.begin(), e.expansions.end(),
                      [&](const Expansion& x) { return x.term == f; })) {
        continue;
      }
      if (MissesDoubling(w, f) || MissesDoubling(f, w)) continue;
      if (d != nullptr ? !SharedSuffixStem(w, f, *d, &cache) : !IsInflection(w, f)) continue;
      const double near =
          static_cast<double>(std::min(ff, fw)) / static_cast<double>(std::max(ff, fw));
      e.expansions.push_back(Expansion{f, 0.5 + 0.5 * near, kInflectionExpansion});
    }
    if (e.expansions.empty()) continue;
    std::stable_sort(e.expansions.begin(), e.expansions.end(),
                     [](const Expansion& a, const Expansion& b) { return a.score > b.score; });
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ExpansionEntry> MineExpansions(const ExpansionInputs& in,
                                           const ExpansionOptions& options) {
  const auto& function_words = in.function_words;
  auto is_function = [&](std::string_view t) {
    const std::vector<std::string_view> words = Words(t);
    return std::all_of(words.begin(), words.end(),
                       [&](std::string_view w) { return function_words.contains(std::string(w)); });
  };
  absl::flat_hash_map<std::string, std::vector<Expansion>> exp;
  for (const Acronym& a : in.acronyms) {
    std::string folded_short = a.short_form;
    absl::AsciiStrToLower(&folded_short);
    if (is_function(folded_short) || is_function(a.long_form)) continue;
    exp[folded_short].push_back(Expansion{a.long_form, a.confidence, kAcronymExpansion});
    exp[a.long_form].push_back(Expansion{a.short_form, a.confidence, kAcronymExpansion});
  }
  // Which units list which among their related terms: a synonym is a mutual neighbour.
  for (const ExpansionEntry& f : in.forms) {
    if (is_function(f.term)) continue;
    for (const Expansion& x : f.expansions) {
      if (!is_function(x.term)) exp[f.term].push_back(x);
    }
  }
  StemCache stems;  // each unit's stems, asked once
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> listed;
  for (const RelatedEntry& r : in.related) {
    for (const auto& [t, score] : r.related) listed.emplace(r.term, t);
  }
  for (const RelatedEntry& r : in.related) {
    if (is_function(r.term)) continue;
    for (Expansion& x : RelatedExpansions(r, options)) {
      if (is_function(x.term)) continue;
      x.kind = MorphologicalKind(r.term, x.term, options.dictionary.get(), &stems);
      if (x.kind.empty()) {
        size_t i = 0;
        while (i < r.related.size() && r.related[i].first != x.term) ++i;
        const float cosine = i < r.distributional.size() ? r.distributional[i] : 0.0f;
        // The dictionary last: it is the slow question.
        if (cosine < options.min_synonym_cosine || !listed.contains({x.term, r.term}) ||
            in.coordinated(r.term, x.term) || !MaySynonym(r.term, x.term, options)) {
          continue;
        }
        x.kind = kSynonymExpansion;
      }
      exp[r.term].push_back(std::move(x));
    }
  }
  std::vector<ExpansionEntry> out;
  for (auto& [term, list] : exp) {
    // Acronyms come first (added first), then related terms; drop repeats, keep the cap.
    std::vector<Expansion> kept;
    absl::flat_hash_set<std::string> seen;
    for (auto& x : list) {
      if (static_cast<int>(kept.size()) >= options.max_expansions) break;
      std::string key = x.term;
      absl::AsciiStrToLower(&key);
      if (key == term || !seen.insert(key).second) continue;
      kept.push_back(std::move(x));
    }
    if (!kept.empty()) out.push_back(ExpansionEntry{term, std::move(kept)});
  }
  std::sort(out.begin(), out.end(),
            [](const ExpansionEntry& a, const ExpansionEntry& b) { return a.term < b.term; });
  return out;
}

}  // namespace nightjar
