#include "count/phrase_counter.h"

#include <algorithm>

namespace nightjar {

PhraseCounts::PhraseCounts(uint32_t id_limit) {
  const uint32_t limit = std::min(id_limit, kMaxTrigramId + 1);
  SortedPairCounts::Options o;
  o.rows = uint64_t{limit} * limit;
  o.columns = limit;
  trigrams = SortedPairCounts(o);
}

PhraseCounts PhraseCounts::Sum(const std::vector<PhraseCounts*>& parts, int threads) {
  if (parts.empty()) return PhraseCounts();
  PhraseCounts out;
  std::vector<PairCountMap*> bigrams;
  std::vector<SortedPairCounts*> trigrams;
  bigrams.reserve(parts.size());
  trigrams.reserve(parts.size());
  for (auto* p : parts) {
    bigrams.push_back(&p->bigrams);
    trigrams.push_back(&p->trigrams);
  }
  out.bigrams = PairCountMap::Sum(bigrams, threads);
  out.trigrams = SortedPairCounts::Sum(trigrams);
  for (auto* p : parts) {
    out.abbreviations.Merge(p->abbreviations);
    *p = PhraseCounts();
  }
  return out;
}

void PhraseCounts::Merge(PhraseCounts&& other) {
  bigrams.Merge(other.bigrams);
  trigrams.Merge(std::move(other.trigrams));
  abbreviations.Merge(other.abbreviations);
  other = PhraseCounts();
}

uint64_t PhraseCounts::Bigram(uint32_t a, uint32_t b) const { return bigrams.Get(BigramKey(a, b)); }

const std::vector<std::string>& ConnectorWords() {
  static const std::vector<std::string> words = {"a",    "an",      "the", "for",  "of",
                                                 "with", "without", "at",  "from", "to",
                                                 "in",   "on",      "by",  "and",  "or"};
  return words;
}

PhraseCounter::PhraseCounter(const TokenizerOptions& options, const Vocabulary& vocab,
                             uint32_t id_limit, bool abbreviations)
    : reader_(options, vocab),
      vocab_(vocab),
      id_limit_(id_limit),
      abbreviations_(abbreviations),
      counts_(id_limit) {
  connector_.assign(id_limit_, 0);
  for (const auto& w : ConnectorWords()) {
    uint32_t id = vocab.Find(w);
    if (id < id_limit_) connector_[id] = 1;
  }
  // Terms holding digits (codes, hashes, dates) break sequences: they make "phrases" out of
  // identifiers that merely repeat together.
  phrase_word_.assign(id_limit_, 1);
  for (uint32_t id = 0; id < id_limit_; ++id) {
    for (char c : vocab.term(id)) {
      if (c >= '0' && c <= '9') {
        phrase_word_[id] = 0;
        break;
      }
    }
  }
}

void PhraseCounter::Add(const Document& doc) {
  if (doc.deleted) return;
  if (cache_ != nullptr) cache_->BeginDocument(DocumentIdHash(doc.id));
  for (std::string_view field : doc.fields) {
    reader_.Read(field, &field_);
    if (cache_ != nullptr) cache_->AddField(field_);
    CountField(FieldView::Of(field_));
    if (abbreviations_) CountAbbreviations(field, &counts_.abbreviations);
  }
  counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
  bigram_keys_.clear();
}

void PhraseCounter::AddCached(const FieldCache& cache) {
  cache.ForEachField([&](uint64_t, uint64_t, const FieldView& field) {
    CountField(field);
    if (bigram_keys_.size() >= 4096) {
      counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
      bigram_keys_.clear();
    }
  });
  counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
  bigram_keys_.clear();
}

void PhraseCounter::CountField(const FieldView& field) {
  const uint32_t t = counts_.trigram_limit();
  uint32_t p2 = Vocabulary::kNone, p1 = Vocabulary::kNone;
  for (size_t i = 0; i < field.ids.size(); ++i) {
    if (field.breaks[i]) p2 = p1 = Vocabulary::kNone;
    uint32_t id = field.ids[i];
    if (id >= id_limit_ || !phrase_word_[id]) id = Vocabulary::kNone;
    if (id != Vocabulary::kNone && p1 != Vocabulary::kNone) {
      bigram_keys_.push_back(BigramKey(p1, id));
    }
    if (id != Vocabulary::kNone && !connector_[id]) {
      if (p2 != Vocabulary::kNone && p1 != Vocabulary::kNone && !connector_[p2] && p2 < t &&
          p1 < t && id < t) {
        counts_.AddTrigram(p2, p1, id);
      }
    }
    p2 = p1;
    p1 = id;
  }
}

}  // namespace nightjar
