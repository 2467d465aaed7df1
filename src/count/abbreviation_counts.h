#ifndef NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_
#define NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace nightjar {

// "SF\x1flong form" -> abbreviation definitions seen (Schwartz & Hearst), long form in lower
// case with single spaces, short form as written. Merge by adding per key.
using AbbreviationCounts = absl::flat_hash_map<std::string, uint64_t>;

// Counts the abbreviation definitions in one text field into *counts.
void CountAbbreviations(std::string_view field, AbbreviationCounts* counts);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_ABBREVIATION_COUNTS_H_
