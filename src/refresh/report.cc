#include "refresh/report.h"

#include "util/json_writer.h"

namespace nightjar {

double RefreshReport::Seconds(std::string_view name) const {
  for (const auto* list : {&stages, &steps}) {
    for (const auto& [n, s] : *list) {
      if (n == name) return s;
    }
  }
  return 0;
}

uint64_t RefreshReport::Records(std::string_view lexicon) const {
  for (const auto& [n, r] : sizes) {
    if (n == lexicon) return r;
  }
  return 0;
}

double RefreshReport::CountInputMBps() const {
  const double s = Seconds("count");
  return s > 0 ? static_cast<double>(corpus.input_bytes) / 1e6 / s : 0;
}

double RefreshReport::RunInputMBps() const {
  return total_seconds > 0 ? static_cast<double>(corpus.input_bytes) / 1e6 / total_seconds : 0;
}

std::string RefreshReport::IncrementalJson() const {
  if (!update) return "null";
  const UpdateReport& u = *update;
  JsonWriter s;
  s.BeginObject().Key("state").String(state_path);
  s.Key("seen").Uint(u.seen).Key("unchanged").Uint(u.unchanged).Key("added").Uint(u.added);
  s.Key("modified").Uint(u.modified).Key("deleted").Uint(u.deleted).Key("stale").Uint(u.stale);
  s.Key("duplicates").Uint(u.duplicates).Key("checkpoints").Uint(u.checkpoints);
  s.Key("skipped_inputs").Uint(u.skipped_inputs).Key("gone").Uint(u.gone);
  // Second- and third-pass counts are not kept in the state yet: mining replays every live
  // document from it.
  s.Key("rederived_documents").Uint(corpus.documents);
  s.Key("rederived_because").String("phrase and context passes replay the state's documents");
  s.EndObject();
  return s.Take();
}

std::string RefreshReport::ToJson() const {
  JsonWriter s;
  s.BeginObject();
  s.Key("version").String(version);
  s.Key("state").String(VersionStateName(state));
  s.Key("store").String(store_uri);
  s.Key("corpus");
  WriteCorpusJson(s, corpus);
  s.Key("rejects");
  WriteRejectsJson(s, rejects);
  s.Key("lexicons").BeginObject();
  for (const auto& [name, records] : sizes) s.Key(name).Uint(records);
  s.EndObject();
  s.Key("activated").Bool(state == VersionState::kActive);
  s.Key("forced").Bool(forced);
  s.Key("validation").Raw(validation_json);
  s.Key("pruned").BeginArray();
  for (const auto& v : pruned) s.String(v);
  s.EndArray();
  s.Key("threads").Int(threads);
  const char* replay = state_path.empty() ? "corpus" : "state";
  s.Key("second_pass").String(second_pass_cached ? "cache" : replay);
  s.Key("third_pass").String(third_pass_cached ? "cache" : replay);
  s.Key("incremental").Raw(IncrementalJson());
  s.Key("unchanged_since").String(unchanged_since);
  s.Key("seconds").BeginObject();
  for (const auto& [name, seconds] : stages) s.Key(name).Double(seconds);
  s.Key("total").Double(total_seconds);
  s.Key("steps").BeginObject();
  for (const auto& [name, seconds] : steps) s.Key(name).Double(seconds);
  s.EndObject();
  s.EndObject();
  s.Key("count_input_mb_per_s").Double(CountInputMBps());
  s.Key("run_input_mb_per_s").Double(RunInputMBps());
  const double count_s = Seconds("count");
  s.Key("count_docs_per_s")
      .Double(count_s > 0 ? static_cast<double>(corpus.documents) / count_s : 0);
  s.Key("peak_rss_bytes").Uint(peak_rss_bytes);
  s.Key("memory").BeginObject();
  s.Key("budget_bytes").Uint(memory.budget_bytes);
  s.Key("count_peak_rss_bytes").Uint(memory.count_peak_rss_bytes);
  s.Key("spilled_runs").Uint(memory.spilled_runs);
  s.Key("spilled_bytes").Uint(memory.spilled_bytes);
  s.Key("distinct_terms").Uint(memory.distinct_terms);
  s.Key("kept_terms").Uint(memory.kept_terms);
  s.Key("min_kept_frequency").Uint(memory.min_kept_frequency);
  s.Key("mining_bound_bytes").Uint(memory.mining_bound_bytes);
  s.EndObject();
  s.Key("source_retries").Uint(source_retries);
  s.EndObject();
  return s.Take();
}

}  // namespace nightjar
