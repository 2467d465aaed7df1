#include "lexicon/delete_index.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "text/edit_distance.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {
namespace {

uint64_t HashOf(const std::u32string& s) {
  return XXH3_64bits(s.data(), s.size() * sizeof(char32_t));
}

// Hashes of every string reachable from `s` by up to `depth` deletions (s itself included).
// Strings are told apart by their 64-bit hashes alone; a collision can only add a candidate,
// which Lookup's distance check then drops.
void Deletes(const std::u32string& s, int depth, absl::flat_hash_set<uint64_t>* out) {
  if (!out->insert(HashOf(s)).second) return;
  if (depth == 0 || s.size() <= 1) return;
  std::u32string shorter;
  for (size_t i = 0; i < s.size(); ++i) {
    shorter.assign(s, 0, i);
    shorter.append(s, i + 1);
    Deletes(shorter, depth - 1, out);
  }
}

}  // namespace

DeleteIndex::DeleteIndex(std::vector<std::string_view> words, int max_distance)
    : words_(std::move(words)), max_distance_(max_distance) {
  decoded_.reserve(words_.size());
  absl::flat_hash_set<uint64_t> hashes;
  for (uint32_t id = 0; id < words_.size(); ++id) {
    decoded_.push_back(DecodeUtf8(words_[id]));
    if (decoded_.back().size() > static_cast<size_t>(kMaxChars)) continue;
    hashes.clear();
    Deletes(decoded_.back(), max_distance_, &hashes);
    for (uint64_t h : hashes) entries_.emplace_back(h, id);
  }
  std::sort(entries_.begin(), entries_.end());
}

std::vector<DeleteIndex::Match> DeleteIndex::Lookup(std::string_view term, int max_distance) const {
  max_distance = std::min(max_distance, max_distance_);
  std::vector<Match> out;
  const std::u32string t = DecodeUtf8(term);
  if (t.size() > static_cast<size_t>(kMaxChars + max_distance)) return out;
  absl::flat_hash_set<uint64_t> hashes;
  Deletes(t, max_distance, &hashes);
  std::vector<uint32_t> ids;
  for (uint64_t h : hashes) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(h, uint32_t{0}));
    for (; it != entries_.end() && it->first == h; ++it) ids.push_back(it->second);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (uint32_t id : ids) {
    const int d = EditDistance(t, decoded_[id], max_distance);
    if (d > 0 && d <= max_distance) out.push_back(Match{id, d});
  }
  return out;
}

}  // namespace nightjar
