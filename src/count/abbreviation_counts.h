#ifndef NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_
#define NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace nightjar {

// Abbreviation definitions seen (Schwartz & Hearst), keyed "SF\x1flong form": the short form as
// written, the long form in lower case with single spaces. Merge adds per key, so it is
// Mergeable (count/mergeable.h). Not thread-safe: one per thread, merged at the end.
class AbbreviationCounts {
 public:
  using Map = absl::flat_hash_map<std::string, uint64_t>;

  // The key of a definition.
  static std::string Key(std::string_view short_form, std::string_view long_form);

  // count(key) += n.
  void Add(std::string_view key, uint64_t n = 1) { counts_[View(key)] += n; }
  // Adds every count of `other`.
  void Merge(const AbbreviationCounts& other) {
    for (const auto& [key, n] : other.counts_) counts_[key] += n;
  }
  // The count of `key`; 0 when absent.
  uint64_t Get(std::string_view key) const {
    auto it = counts_.find(View(key));
    return it == counts_.end() ? 0 : it->second;
  }
  size_t size() const { return counts_.size(); }
  bool empty() const { return counts_.empty(); }
  // (key, count) pairs, in no particular order.
  Map::const_iterator begin() const { return counts_.begin(); }
  Map::const_iterator end() const { return counts_.end(); }

  bool operator==(const AbbreviationCounts& other) const { return counts_ == other.counts_; }

 private:
  // Debian's abseil has its own string_view.
  static absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }
  Map counts_;
};

// Counts the abbreviation definitions in one text field into *counts.
void CountAbbreviations(std::string_view field, AbbreviationCounts* counts);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_
