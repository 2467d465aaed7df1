#include "lexicon/corrector.h"

#include <algorithm>
#include <cmath>

#include "text/edit_distance.h"
#include "text/phonetic.h"

namespace nightjar {

SpellCorrector::SpellCorrector(
    std::vector<std::pair<std::string, uint64_t>> words,
    absl::flat_hash_map<std::string, std::pair<std::string, double>> corrections,
    const CorrectorOptions& options, BigramModel bigrams)
    : options_(options),
      words_(std::move(words)),
      corrections_(std::move(corrections)),
      bigrams_(std::move(bigrams)) {
  // Only the top max_index_words need ordering: partition, then sort that head.
  auto more_frequent = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  const size_t head = std::min(words_.size(), options_.max_index_words);
  std::nth_element(words_.begin(), words_.begin() + head, words_.end(), more_frequent);
  std::sort(words_.begin(), words_.begin() + head, more_frequent);
  frequency_.reserve(words_.size());
  std::vector<std::string_view> dictionary;
  for (size_t i = 0; i < words_.size(); ++i) {
    const auto& [w, f] = words_[i];
    frequency_.emplace(w, f);
    total_ += static_cast<double>(f);
    if (i < head && f >= options_.word_min_frequency) {
      dictionary.push_back(w);
      if (options_.max_phonetic_distance > 0) sounds_[PhoneticKey(w)].push_back(w);
    }
  }
  sounds_.erase("");
  index_ = std::make_unique<DeleteIndex>(std::move(dictionary), options_.max_distance,
                                         options_.index_threads, options_.short_word_chars);
}

SpellCorrector::Result SpellCorrector::Correct(std::string_view token, std::string_view left,
                                               std::string_view right) const {
  if (auto it = corrections_.find(std::string(token)); it != corrections_.end()) {
    return Result{it->second.first, it->second.second, "variant"};
  }
  auto known = frequency_.find(token);
  if (known != frequency_.end() && known->second >= options_.word_min_frequency) {
    return Result{std::string(token), 1.0, "known"};
  }
  const std::u32string typed = DecodeUtf8(token);
  std::vector<double> logits;
  std::vector<std::string_view> candidates;
  const auto matches = index_->Lookup(token, options_.max_distance);
  const bool one_edit =
      std::any_of(matches.begin(), matches.end(), [](const auto& m) { return m.distance <= 1; });
  for (const auto& m : matches) {
    std::string_view w = index_->word(m.id);
    const std::u32string intended = DecodeUtf8(w);
    const int limit = index_->max_distance(m.id);  // 1 for short words
    logits.push_back(std::log(static_cast<double>(frequency_.at(w))) -
                     options_.typing_weight * TypingCost(typed, intended, limit, options_.errors) -
                     (one_edit && m.distance > 1 ? options_.second_edit_margin : 0.0));
    candidates.push_back(w);
  }
  if (known != frequency_.end()) return Result{std::string(token), 1.0, "known"};
  if (logits.empty()) return SoundsLike(token, typed);
  WeighByContext(candidates, left, right, &logits);
  // The best logit; ties go to the word the index lists first (the more frequent).
  const size_t top =
      static_cast<size_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  double sum = 0;
  for (double l : logits) sum += std::exp(l - logits[top]);
  return Result{std::string(candidates[top]), 1.0 / sum, "edit"};
}

void SpellCorrector::WeighByContext(const std::vector<std::string_view>& candidates,
                                    std::string_view left, std::string_view right,
                                    std::vector<double>* logits) const {
  if (options_.context_weight <= 0 || bigrams_.size() == 0 || candidates.size() < 2) return;
  const double a = options_.context_smoothing;
  // One side: how often each candidate was seen next to the neighbour, against how often it
  // would be if the two were independent, both smoothed by `a` pseudo-occurrences.
  auto side = [&](std::string_view neighbour, bool neighbour_first) {
    const uint64_t fn = Frequency(neighbour);
    if (neighbour.empty() || fn == 0) return;
    std::vector<uint64_t> pairs(candidates.size());
    bool seen = false;
    for (size_t i = 0; i < candidates.size(); ++i) {
      pairs[i] = neighbour_first ? bigrams_.Count(neighbour, candidates[i])
                                 : bigrams_.Count(candidates[i], neighbour);
      seen |= pairs[i] > 0;
    }
    if (!seen) return;  // the neighbour says nothing about these candidates
    for (size_t i = 0; i < candidates.size(); ++i) {
      const double expected =
          static_cast<double>(fn) * static_cast<double>(Frequency(candidates[i])) / total_;
      (*logits)[i] +=
          options_.context_weight * std::log((static_cast<double>(pairs[i]) + a) / (expected + a));
    }
  };
  side(left, true);
  side(right, false);
}

SpellCorrector::Result SpellCorrector::SoundsLike(std::string_view token,
                                                  const std::u32string& typed) const {
  auto it = sounds_.find(PhoneticKey(token));
  if (it == sounds_.end()) return Result{std::string(token), 0.0, "unknown"};
  // Words are most frequent first: the first at the fewest edits wins.
  int best_distance = options_.max_phonetic_distance + 1;
  std::string_view best;
  for (std::string_view w : it->second) {
    const int d = EditDistance(typed, DecodeUtf8(w), best_distance - 1);
    if (d < best_distance) {
      best_distance = d;
      best = w;
    }
  }
  if (best.empty()) return Result{std::string(token), 0.0, "unknown"};
  return Result{std::string(best), 1.0 / best_distance, "phonetic"};
}

}  // namespace nightjar
