#include "lexicon/expansions.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
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
    out.push_back(Expansion{r.related[i].first, std::min(score, 1.0)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Expansion& a, const Expansion& b) { return a.score > b.score; });
  return out;
}

std::vector<ExpansionEntry> MineExpansions(const std::vector<Acronym>& acronyms,
                                           const std::vector<RelatedEntry>& related,
                                           const ExpansionOptions& options) {
  absl::flat_hash_map<std::string, std::vector<Expansion>> exp;
  for (const Acronym& a : acronyms) {
    std::string folded_short = a.short_form;
    absl::AsciiStrToLower(&folded_short);
    exp[folded_short].push_back(Expansion{a.long_form, a.confidence});
    exp[a.long_form].push_back(Expansion{a.short_form, a.confidence});
  }
  for (const RelatedEntry& r : related) {
    const std::vector<Expansion> from_related = RelatedExpansions(r, options);
    auto& list = exp[r.term];
    list.insert(list.end(), from_related.begin(), from_related.end());
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
