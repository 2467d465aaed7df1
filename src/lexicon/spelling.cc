#include "lexicon/spelling.h"

#include "count/ngram_table.h"
#include "util/json_writer.h"

namespace nightjar {

std::vector<SpellingEntry> BuildSpellingVocabulary(const Vocabulary& vocab,
                                                   const SpellingOptions& options) {
  std::vector<SpellingEntry> out;
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    const TermStats& stats = vocab.stats(id);
    if (stats.frequency < options.min_frequency) break;  // ids are frequency ranks
    if (stats.doc_frequency < options.min_doc_frequency) continue;
    const std::string_view term = vocab.term(id);
    if (CountChars(term) < options.min_chars) continue;
    out.push_back(SpellingEntry{term, stats, {}});
  }
  return out;
}

std::string SpellingRecordJson(const SpellingEntry& e, std::string_view version) {
  JsonWriter w;
  w.BeginObject();
  w.Key("word").String(e.word);
  w.Key("frequency").Uint(e.stats.frequency);
  w.Key("doc_frequency").Uint(e.stats.doc_frequency);
  w.Key("variants").BeginArray();
  for (const auto& v : e.variants) w.String(v);
  w.EndArray();
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

std::string VocabularyRecordJson(const SpellingEntry& e) {
  JsonWriter w;
  w.BeginObject().Key("word").String(e.word).Key("frequency").Uint(e.stats.frequency).EndObject();
  return w.Take();
}

}  // namespace nightjar
