#include "lexicon/bigram_model.h"

#include "xxhash.h"

namespace nightjar {

uint64_t BigramModel::Key(std::string_view first, std::string_view second) {
  // The second word hashed with the first's hash as its seed: "ab c" and "a bc" differ.
  return XXH3_64bits_withSeed(second.data(), second.size(),
                              XXH3_64bits(first.data(), first.size()));
}

void BigramModel::Add(std::string_view first, std::string_view second, uint64_t count) {
  counts_[Key(first, second)] += count;
}

uint64_t BigramModel::Count(std::string_view first, std::string_view second) const {
  auto it = counts_.find(Key(first, second));
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace nightjar
