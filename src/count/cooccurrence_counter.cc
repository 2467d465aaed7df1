#include "count/cooccurrence_counter.h"

#include <algorithm>
#include <bit>

#include "count/phrase_counter.h"

namespace nightjar {

CooccurrenceCounts CooccurrenceCounts::Sum(const std::vector<CooccurrenceCounts*>& parts,
                                           int /*threads*/) {
  CooccurrenceCounts out;
  std::vector<SortedPairCounts*> counts;
  counts.reserve(parts.size());
  for (auto* p : parts) counts.push_back(&p->pairs);
  out.pairs = SortedPairCounts::Sum(counts);
  counts.clear();
  for (auto* p : parts) counts.push_back(&p->spelling_contexts);
  out.spelling_contexts = SortedPairCounts::Sum(counts);
  for (auto* p : parts) {
    const size_t n = p->slot_case.size();
    if (out.slot_case.size() < n) out.slot_case.resize(n);
    for (size_t i = 0; i < n; ++i) {
      out.slot_case[i].occurrences += p->slot_case[i].occurrences;
      out.slot_case[i].capitalized += p->slot_case[i].capitalized;
    }
    *p = CooccurrenceCounts();
  }
  return out;
}

void CooccurrenceCounts::Merge(CooccurrenceCounts&& other) {
  pairs.Merge(std::move(other.pairs));
  spelling_contexts.Merge(std::move(other.spelling_contexts));
  if (slot_case.size() < other.slot_case.size()) slot_case.resize(other.slot_case.size());
  for (size_t i = 0; i < other.slot_case.size(); ++i) {
    slot_case[i].occurrences += other.slot_case[i].occurrences;
    slot_case[i].capitalized += other.slot_case[i].capitalized;
  }
  other = CooccurrenceCounts();
}

bool CooccurrenceCounts::operator==(const CooccurrenceCounts& other) const {
  if (!(pairs == other.pairs) || !(spelling_contexts == other.spelling_contexts)) return false;
  const size_t n = std::max(slot_case.size(), other.slot_case.size());
  for (size_t i = 0; i < n; ++i) {
    const SlotCase a = i < slot_case.size() ? slot_case[i] : SlotCase{};
    const SlotCase b = i < other.slot_case.size() ? other.slot_case[i] : SlotCase{};
    if (!(a == b)) return false;
  }
  return true;
}

void UnitMap::IndexPhraseStarts(size_t vocabulary_size) {
  phrase_starts.assign(vocabulary_size, 0);
  // About 16 slots a phrase (a false "maybe" on one lookup in 16), within 2^22 slots (1 MB: a
  // larger filter would miss the cache as the maps do).
  const size_t phrases = bigram_unit.size() + trigram_unit.size();
  const size_t slots = std::clamp<size_t>(std::bit_ceil(16 * phrases), 1024, size_t{1} << 22);
  pair_starts.assign(slots / 32, 0);
  auto flag = [&](uint32_t a, uint32_t b, uint8_t f) {
    const size_t slot = PairSlot(a, b);
    pair_starts[slot >> 5] |= uint64_t{f} << ((slot & 31) * 2);
  };
  for (const auto& [key, unit] : bigram_unit) {
    const auto first = static_cast<uint32_t>(key >> 32);
    if (first < vocabulary_size) phrase_starts[first] |= kStartsBigram;
    flag(first, static_cast<uint32_t>(key), kStartsBigram);
  }
  for (const auto& [key, unit] : trigram_unit) {
    const auto first = static_cast<uint32_t>(key >> 42);
    if (first < vocabulary_size) phrase_starts[first] |= kStartsTrigram;
    flag(first, static_cast<uint32_t>(key >> 21) & kMaxTrigramId, kStartsTrigram);
  }
}

uint32_t SampleThreshold(uint64_t frequency, uint64_t sample) {
  if (sample == 0 || frequency <= sample) return UnitMap::kKeepAll;
  // sample / frequency of 2^32, exactly (sample < frequency, so it fits).
  return static_cast<uint32_t>((static_cast<unsigned __int128>(sample) << 32) / frequency);
}

CooccurrenceCounter::CooccurrenceCounter(const TokenizerOptions& tokenizer, const Vocabulary& vocab,
                                         const UnitMap& units, const CooccurrenceOptions& options)
    : reader_(tokenizer, vocab), units_(units), options_(options) {
  uint32_t slots = 0;
  for (uint32_t slot : units.spelling_slot) {
    if (slot != UnitMap::kNone) slots = std::max(slots, slot + 1);
  }
  SortedPairCounts::Options o;
  o.rows = units.units;
  o.columns = units.units;
  counts_.pairs = SortedPairCounts(o);
  o.rows = slots;
  counts_.spelling_contexts = SortedPairCounts(o);
}

CooccurrenceCounts& CooccurrenceCounter::counts() {
  counts_.pairs.Flush();
  counts_.spelling_contexts.Flush();
  return counts_;
}

void CooccurrenceCounter::Add(const Document& doc) {
  if (doc.deleted) return;
  doc_hash_ = DocumentIdHash(doc.id);
  field_index_ = 0;
  for (std::string_view field : doc.fields) {
    reader_.Read(field, &field_);
    CountField(FieldView::Of(field_));
    ++field_index_;
  }
}

void CooccurrenceCounter::AddCached(const FieldCache& cache) {
  cache.ForEachField([&](uint64_t id_hash, uint64_t field_index, const FieldView& field) {
    doc_hash_ = id_hash;
    field_index_ = field_index;
    CountField(field);
  });
}

bool CooccurrenceCounter::Sampled(uint32_t slot, size_t i) const {
  if (slot >= units_.slot_keep.size()) return true;
  const uint32_t keep = units_.slot_keep[slot];
  if (keep == UnitMap::kKeepAll) return true;
  // SplitMix64's finalizer over (document, field, position).
  uint64_t z = doc_hash_ + 0x9E3779B97F4A7C15ULL * ((field_index_ << 32 | i) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<uint32_t>(z >> 32) < keep;
}

void CooccurrenceCounter::CountField(const FieldView& field) {
  constexpr uint32_t kNone = UnitMap::kNone;
  stream_.clear();
  slots_.clear();
  const std::span<const uint32_t> ids = field.ids;
  const std::span<const uint8_t> breaks = field.breaks;
  const size_t n = ids.size();
  auto phrase_unit = [](const absl::flat_hash_map<uint64_t, uint32_t>& map, uint64_t key) {
    auto it = map.find(key);
    return it == map.end() ? kNone - 1 : it->second;  // kNone - 1: not a phrase at all
  };
  constexpr uint8_t kBoth = UnitMap::kStartsBigram | UnitMap::kStartsTrigram;
  for (size_t i = 0; i < n;) {
    const uint32_t a = ids[i];
    uint8_t starts = a == Vocabulary::kNone         ? 0
                     : units_.phrase_starts.empty() ? kBoth
                                                    : units_.phrase_starts[a];
    if (starts != 0 && !units_.pair_starts.empty()) {
      starts = i + 1 < n && !breaks[i + 1] && ids[i + 1] != Vocabulary::kNone
                   ? starts & units_.PairStarts(a, ids[i + 1])
                   : 0;
    }
    if ((starts & UnitMap::kStartsTrigram) && i + 2 < n && !breaks[i + 1] && !breaks[i + 2] &&
        ids[i + 1] != Vocabulary::kNone && ids[i + 2] != Vocabulary::kNone &&
        std::max({a, ids[i + 1], ids[i + 2]}) <= kMaxTrigramId && !units_.trigram_unit.empty()) {
      const uint32_t u = phrase_unit(units_.trigram_unit, TrigramKey(a, ids[i + 1], ids[i + 2]));
      if (u != kNone - 1) {
        stream_.push_back(u);
        slots_.push_back(kNone);
        i += 3;
        continue;
      }
    }
    if ((starts & UnitMap::kStartsBigram) && i + 1 < n && !breaks[i + 1] &&
        ids[i + 1] != Vocabulary::kNone) {
      const uint32_t u = phrase_unit(units_.bigram_unit, BigramKey(a, ids[i + 1]));
      if (u != kNone - 1) {
        stream_.push_back(u);
        slots_.push_back(kNone);
        i += 2;
        continue;
      }
    }
    stream_.push_back(a == Vocabulary::kNone ? kNone : units_.word_unit[a]);
    const uint32_t slot = a == Vocabulary::kNone ? kNone : units_.spelling_slot[a];
    slots_.push_back(slot);
    if (slot != kNone) {
      auto& slot_case = counts_.slot_case;
      if (slot >= slot_case.size()) slot_case.resize(slot + 1);
      ++slot_case[slot].occurrences;
      slot_case[slot].capitalized += field.capitals[i];
    }
    ++i;
  }

  const size_t m = stream_.size();
  const size_t w = static_cast<size_t>(options_.window);
  for (size_t i = 0; i < m; ++i) {
    const uint32_t u = stream_[i];
    if (u == kNone) continue;
    for (size_t j = i + 1; j < m && j <= i + w; ++j) {
      const uint32_t v = stream_[j];
      if (v == kNone || v == u) continue;
      counts_.pairs.Add(std::min(u, v), std::max(u, v));
    }
  }
  const size_t sw = static_cast<size_t>(options_.spelling_window);
  for (size_t i = 0; i < m; ++i) {
    const uint32_t slot = slots_[i];
    if (slot == kNone || !Sampled(slot, i)) continue;
    const size_t lo = i >= sw ? i - sw : 0, hi = std::min(m, i + sw + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (j == i || stream_[j] == kNone) continue;
      counts_.spelling_contexts.Add(slot, stream_[j]);
    }
  }
}

}  // namespace nightjar
