#include "count/pair_count_map.h"

namespace nightjar {

void PairCountMap::AddBatch(const uint64_t* keys, size_t n) {
  batch_.clear();
  for (size_t i = 0; i < n; ++i) {
    if ((keys[i] & kHighHalves) == 0) {
      batch_.push_back(Low(keys[i]));
    } else {
      blocks_[Block(keys[i])].Add(Low(keys[i]));
    }
  }
  first_.AddBatch(batch_.data(), batch_.size());
}

void PairCountMap::Merge(const PairCountMap& other) {
  first_.Merge(other.first_);
  for (const auto& [block, map] : other.blocks_) blocks_[block].Merge(map);
}

uint64_t PairCountMap::Get(uint64_t key) const {
  if ((key & kHighHalves) == 0) return first_.Get(Low(key));
  auto it = blocks_.find(Block(key));
  return it == blocks_.end() ? 0 : it->second.Get(Low(key));
}

size_t PairCountMap::size() const {
  size_t n = first_.size();
  for (const auto& [block, map] : blocks_) n += map.size();
  return n;
}

}  // namespace nightjar
