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

}  // namespace nightjar
