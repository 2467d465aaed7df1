#include "count/field_cache.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {

uint64_t DocumentIdHash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

void FieldCache::BeginDocument(uint64_t id_hash) {
  if (!overflowed_) docs_.push_back(Doc{id_hash, field_ends_.size()});
}

void FieldCache::AddField(const FieldIds& field) {
  if (overflowed_) return;
  ids_.insert(ids_.end(), field.ids.begin(), field.ids.end());
  breaks_.insert(breaks_.end(), field.breaks.begin(), field.breaks.end());
  capitals_.insert(capitals_.end(), field.capitals.begin(), field.capitals.end());
  field_ends_.push_back(ids_.size());
  if (bytes() > max_bytes_) Overflow();
}

void FieldCache::AddHashedField(std::span<const uint64_t> hashes, std::span<const uint8_t> breaks,
                                std::span<const uint8_t> capitals) {
  if (overflowed_) return;
  hashes_.insert(hashes_.end(), hashes.begin(), hashes.end());
  breaks_.insert(breaks_.end(), breaks.begin(), breaks.end());
  capitals_.insert(capitals_.end(), capitals.begin(), capitals.end());
  field_ends_.push_back(hashes_.size());
  if (bytes() > max_bytes_) Overflow();
}

void FieldCache::Overflow() {
  overflowed_ = true;
  // What is kept is of no use any more: give the memory back now.
  docs_ = std::vector<Doc>();  // (assigning {} would keep the capacity)
  field_ends_ = std::vector<size_t>();
  ids_ = std::vector<uint32_t>();
  hashes_ = std::vector<uint64_t>();
  breaks_ = std::vector<uint8_t>();
  capitals_ = std::vector<uint8_t>();
}

size_t FieldCache::bytes() const {
  return docs_.capacity() * sizeof(Doc) + field_ends_.capacity() * sizeof(size_t) +
         ids_.capacity() * sizeof(uint32_t) + hashes_.capacity() * sizeof(uint64_t) +
         breaks_.capacity() + capitals_.capacity();
}

}  // namespace nightjar
