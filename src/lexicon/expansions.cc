#include "lexicon/expansions.h"

#include <cmath>

#include "util/json_writer.h"

namespace nightjar {

std::string ExpansionRecordJson(const ExpansionEntry& e, int max_expansions,
                                std::string_view version) {
  JsonWriter w;
  w.BeginObject();
  w.Key("term").String(e.term);
  w.Key("expansions").BeginArray();
  for (const auto& x : e.expansions) {
    w.BeginObject().Key("term").String(x.term);
    w.Key("score").Double(std::round(x.score * 1e4) / 1e4).EndObject();
  }
  w.EndArray();
  w.Key("max_expansions").Int(max_expansions);
  w.Key("version").String(version);
  w.EndObject();
  return w.Take();
}

}  // namespace nightjar
