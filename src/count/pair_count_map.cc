#include "count/pair_count_map.h"

#include <algorithm>

namespace nightjar {

void PairCountMap::AddBatch(const uint64_t* keys, size_t n) {
  batch_.clear();
  others_.clear();
  for (size_t i = 0; i < n; ++i) {
    if ((keys[i] & kHighHalves) == 0) {
      batch_.push_back(Low(keys[i]));
    } else {
      others_.push_back(uint64_t{Block(keys[i])} << 32 | Low(keys[i]));
    }
  }
  first_.AddBatch(batch_.data(), batch_.size());
  if (others_.empty()) return;
  // The other blocks' keys in runs by block, each counted as a batch (prefetched).
  std::sort(others_.begin(), others_.end());
  for (size_t i = 0; i < others_.size();) {
    const auto block = static_cast<uint32_t>(others_[i] >> 32);
    batch_.clear();
    for (; i < others_.size() && others_[i] >> 32 == block; ++i) {
      batch_.push_back(static_cast<uint32_t>(others_[i]));
    }
    blocks_[block].AddBatch(batch_.data(), batch_.size());
  }
}

void PairCountMap::Merge(const PairCountMap& other) {
  first_.Merge(other.first_);
  for (const auto& [block, map] : other.blocks_) blocks_[block].Merge(map);
}

PairCountMap PairCountMap::Sum(const std::vector<PairCountMap*>& maps, int threads) {
  PairCountMap out;
  std::vector<KeyCountMap32*> firsts;
  firsts.reserve(maps.size());
  for (auto* m : maps) firsts.push_back(&m->first_);
  out.first_ = KeyCountMap32::Sum(firsts, threads);
  for (auto* m : maps) {
    for (const auto& [block, map] : m->blocks_) out.blocks_[block].Merge(map);
    m->blocks_.clear();
  }
  return out;
}

bool PairCountMap::operator==(const PairCountMap& other) const {
  if (size() != other.size()) return false;
  bool equal = true;
  ForEach([&](uint64_t key, uint64_t n) { equal = equal && other.Get(key) == n; });
  return equal;
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
