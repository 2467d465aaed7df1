#include "count/phrase_counter.h"

namespace nightjar {

PhraseCounts PhraseCounts::Sum(const std::vector<PhraseCounts*>& parts, int threads) {
  PhraseCounts out;
  std::vector<PairCountMap*> bigrams;
  std::vector<KeyCountMap*> trigrams;
  for (auto* p : parts) {
    bigrams.push_back(&p->bigrams);
    trigrams.push_back(&p->trigrams);
  }
  out.bigrams = PairCountMap::Sum(bigrams, threads);
  out.trigrams = KeyCountMap::Sum(trigrams, threads);
  for (auto* p : parts) {
    for (const auto& [k, v] : p->abbreviations) out.abbreviations[k] += v;
    *p = PhraseCounts();
  }
  return out;
}

const std::vector<std::string>& ConnectorWords() {
  static const std::vector<std::string> words = {"a",    "an",      "the", "for",  "of",
                                                 "with", "without", "at",  "from", "to",
                                                 "in",   "on",      "by",  "and",  "or"};
  return words;
}

PhraseCounter::PhraseCounter(const TokenizerOptions& options, const Vocabulary& vocab,
                             uint32_t id_limit, bool abbreviations)
    : reader_(options, vocab), vocab_(vocab), id_limit_(id_limit), abbreviations_(abbreviations) {
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
  bigram_keys_.clear();
  trigram_keys_.clear();
  if (cache_ != nullptr) cache_->BeginDocument(DocumentIdHash(doc.id));
  for (std::string_view field : doc.fields) {
    reader_.Read(field, &field_);
    if (cache_ != nullptr) cache_->AddField(field_);
    CollectKeys(FieldView::Of(field_));
    if (abbreviations_) CountAbbreviations(field, &counts_.abbreviations);
  }
  counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
  counts_.trigrams.AddBatch(trigram_keys_.data(), trigram_keys_.size());
}

void PhraseCounter::AddCached(const FieldCache& cache) {
  bigram_keys_.clear();
  trigram_keys_.clear();
  cache.ForEachField([&](uint64_t, uint64_t, const FieldView& field) {
    CollectKeys(field);
    // Counted in batches of a few thousand keys, as Add counts a document's.
    if (bigram_keys_.size() + trigram_keys_.size() >= 4096) {
      counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
      counts_.trigrams.AddBatch(trigram_keys_.data(), trigram_keys_.size());
      bigram_keys_.clear();
      trigram_keys_.clear();
    }
  });
  counts_.bigrams.AddBatch(bigram_keys_.data(), bigram_keys_.size());
  counts_.trigrams.AddBatch(trigram_keys_.data(), trigram_keys_.size());
}

void PhraseCounter::CollectKeys(const FieldView& field) {
  uint32_t p2 = Vocabulary::kNone, p1 = Vocabulary::kNone;
  for (size_t i = 0; i < field.ids.size(); ++i) {
    if (field.breaks[i]) p2 = p1 = Vocabulary::kNone;
    uint32_t id = field.ids[i];
    if (id >= id_limit_ || !phrase_word_[id]) id = Vocabulary::kNone;
    if (id != Vocabulary::kNone && !connector_[id]) {
      if (p1 != Vocabulary::kNone && !connector_[p1]) bigram_keys_.push_back(BigramKey(p1, id));
      if (p2 != Vocabulary::kNone && p1 != Vocabulary::kNone && !connector_[p2] &&
          p2 <= kMaxTrigramId && p1 <= kMaxTrigramId && id <= kMaxTrigramId) {
        trigram_keys_.push_back(TrigramKey(p2, p1, id));
      }
    }
    p2 = p1;
    p1 = id;
  }
}

}  // namespace nightjar
