#ifndef NIGHTJAR_LEXICON_BIGRAM_MODEL_H_
#define NIGHTJAR_LEXICON_BIGRAM_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace nightjar {

// Adjacent word-pair counts (the published bigrams lexicon), for weighing correction candidates
// by their neighbours. Pairs are held by a 64-bit hash of their two words (16 bytes a pair; two
// pairs colliding is a 2^-64 chance each). Filled by Add, then read-only: any number of threads
// may call Count once filling is done.
class BigramModel {
 public:
  // count("first second") += count.
  void Add(std::string_view first, std::string_view second, uint64_t count);
  // Occurrences of "first second"; 0 for a pair never added.
  uint64_t Count(std::string_view first, std::string_view second) const;
  size_t size() const { return counts_.size(); }

 private:
  static uint64_t Key(std::string_view first, std::string_view second);
  absl::flat_hash_map<uint64_t, uint64_t> counts_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_LEXICON_BIGRAM_MODEL_H_
