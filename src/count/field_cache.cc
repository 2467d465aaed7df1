#include "count/field_cache.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nightjar {

uint64_t DocumentIdHash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

FieldCache::FieldCache(size_t max_bytes)
    : max_bytes_(max_bytes),
      docs_(max_bytes / sizeof(Doc)),
      field_ends_(max_bytes / sizeof(size_t)),
      tokens_(max_bytes / sizeof(uint32_t)),
      breaks_(max_bytes),
      capitals_(max_bytes) {}

void FieldCache::BeginDocument(uint64_t id_hash) {
  if (!overflowed_ && !docs_.PushBack(Doc{id_hash, field_ends_.size()})) Overflow();
}

void FieldCache::AddField(const FieldIds& field) {
  if (overflowed_) return;
  const bool kept = tokens_.Append(field.ids.data(), field.ids.size()) &&
                    breaks_.Append(field.breaks.data(), field.breaks.size()) &&
                    capitals_.Append(field.capitals.data(), field.capitals.size()) &&
                    field_ends_.PushBack(tokens_.size());
  if (!kept || bytes() > max_bytes_) Overflow();
}

void FieldCache::AddHashedField(std::span<const uint64_t> hashes, std::span<const uint8_t> breaks,
                                std::span<const uint8_t> capitals) {
  if (overflowed_) return;
  // A hash is kept as two 32-bit words (copied bytewise), so that ResolveHashes can write the
  // ids over them in place.
  const bool kept =
      tokens_.Append(reinterpret_cast<const uint32_t*>(hashes.data()), 2 * hashes.size()) &&
      breaks_.Append(breaks) && capitals_.Append(capitals) &&
      field_ends_.PushBack(tokens_.size() / 2);
  if (!kept || bytes() > max_bytes_) Overflow();
}

void FieldCache::Overflow() {
  overflowed_ = true;
  // What is kept is of no use any more: give the memory back now.
  docs_ = AppendArray<Doc>();
  field_ends_ = AppendArray<size_t>();
  tokens_ = AppendArray<uint32_t>();
  breaks_ = AppendArray<uint8_t>();
  capitals_ = AppendArray<uint8_t>();
}

size_t FieldCache::bytes() const {
  return docs_.size() * sizeof(Doc) + field_ends_.size() * sizeof(size_t) +
         tokens_.size() * sizeof(uint32_t) + breaks_.size() + capitals_.size();
}

// The hash -> id table is open addressing over the hashes' low bits.
bool ResolveTermHashes(const Vocabulary& vocab, std::vector<FieldCache>* caches) {
  struct Slot {
    uint64_t hash;
    uint32_t id;  // kNone: empty
  };
  size_t capacity = 16;
  while (capacity < size_t{2} * vocab.size()) capacity *= 2;
  const size_t mask = capacity - 1;
  std::vector<Slot> table(capacity, Slot{0, Vocabulary::kNone});
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    const uint64_t hash = CountTable::Hash(vocab.term(id));
    size_t i = hash & mask;
    for (; table[i].id != Vocabulary::kNone; i = (i + 1) & mask) {
      if (table[i].hash == hash) return false;
    }
    table[i] = Slot{hash, id};
  }
  for (FieldCache& cache : *caches) {
    cache.ResolveHashes(
        [&](uint64_t hash) {
          for (size_t i = hash & mask;; i = (i + 1) & mask) {
            if (table[i].id == Vocabulary::kNone || table[i].hash == hash) return table[i].id;
          }
        },
        [&](uint64_t hash) { __builtin_prefetch(&table[hash & mask]); });
  }
  return true;
}

}  // namespace nightjar
