#include "lexicon/acronyms.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "util/json_writer.h"

namespace nightjar {

std::vector<Acronym> MineAcronyms(const PhraseCounts& counts, const AcronymOptions& options) {
  absl::flat_hash_map<std::string, uint64_t> per_short;
  for (const auto& [key, n] : counts.abbreviations) {
    per_short[key.substr(0, key.find('\x1f'))] += n;
  }
  std::vector<Acronym> out;
  for (const auto& [key, n] : counts.abbreviations) {
    if (n < options.min_count) continue;
    const size_t cut = key.find('\x1f');
    Acronym a{key.substr(0, cut), key.substr(cut + 1), n, 0};
    a.confidence = static_cast<double>(n) / static_cast<double>(per_short[a.short_form] + 1);
    if (a.confidence < options.min_confidence) continue;
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Acronym& x, const Acronym& y) {
    if (x.confidence != y.confidence) return x.confidence > y.confidence;
    if (x.short_form != y.short_form) return x.short_form < y.short_form;
    return x.long_form < y.long_form;
  });
  return out;
}

}  // namespace nightjar
