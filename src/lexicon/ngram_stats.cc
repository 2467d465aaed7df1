#include "lexicon/ngram_stats.h"

#include "util/json_writer.h"

namespace nightjar {

std::string NgramRecordJson(const NgramRow& row, std::string_view version) {
  JsonWriter w;
  w.BeginObject();
  w.Key("ngram").String(row.ngram);
  w.Key("n").Int(row.n);
  w.Key("frequency").Uint(row.stats.frequency);
  w.Key("term_count").Uint(row.stats.term_count);
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

}  // namespace nightjar
