#include "refresh/refresh_metrics.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "obs/metrics.h"

namespace nightjar {

std::string RefreshMetricsText(const RefreshReport& r, const absl::Status& outcome,
                               absl::Time ended, double seconds, int attempts) {
  MetricsRegistry m;
  const double end_s = absl::ToDoubleSeconds(ended - absl::UnixEpoch());
  m.GetGauge("nightjar_refresh_success", "1 when the last refresh succeeded")
      .Set(outcome.ok() ? 1 : 0);
  m.GetGauge("nightjar_refresh_last_run_timestamp_seconds", "When the last refresh ended")
      .Set(end_s);
  if (outcome.ok()) {
    m.GetGauge("nightjar_refresh_last_success_timestamp_seconds",
               "When the last successful refresh ended")
        .Set(end_s);
  }
  m.GetGauge("nightjar_refresh_duration_seconds", "The last refresh's duration").Set(seconds);
  m.GetGauge("nightjar_refresh_attempts", "Runs the last refresh took").Set(attempts);
  for (const auto& [stage, s] : r.stages) {
    m.GetGauge("nightjar_refresh_stage_duration_seconds", "Seconds per stage of the last refresh",
               fmt::format(R"(stage="{}")", stage))
        .Set(s);
  }
  const char* docs = "Documents of the last refresh by outcome";
  m.GetGauge("nightjar_refresh_documents", docs, R"(outcome="read")")
      .Set(static_cast<double>(r.corpus.documents));
  m.GetGauge("nightjar_refresh_documents", docs, R"(outcome="deleted")")
      .Set(static_cast<double>(r.corpus.deleted));
  m.GetGauge("nightjar_refresh_documents", docs, R"(outcome="truncated")")
      .Set(static_cast<double>(r.corpus.truncated));
  m.GetGauge("nightjar_refresh_documents", docs, R"(outcome="rejected")")
      .Set(static_cast<double>(r.rejects.total));
  for (const auto& [lexicon, n] : r.sizes) {
    m.GetGauge("nightjar_refresh_lexicon_records", "Records published per lexicon",
               fmt::format(R"(lexicon="{}")", lexicon))
        .Set(static_cast<double>(n));
  }
  if (!r.version.empty()) {
    m.GetGauge("nightjar_refresh_version_info", "The version the last refresh built (1)",
               fmt::format(R"(version="{}")", r.version))
        .Set(1);
  }
  m.GetGauge("nightjar_refresh_version_rejected", "1 when a validation gate rejected the version")
      .Set(r.state == VersionState::kRejected ? 1 : 0);
  if (r.peak_rss_bytes > 0) {
    m.GetGauge("nightjar_refresh_peak_rss_bytes", "Peak RSS of the last refresh")
        .Set(static_cast<double>(r.peak_rss_bytes));
  }
  // The gates, from the validation report's JSON (its one owner is store/validation).
  simdjson::dom::parser parser;
  simdjson::dom::element v;
  simdjson::dom::array gates;
  bool passed = true;
  if (parser.parse(r.validation_json).get(v) == simdjson::SUCCESS &&
      v["gates"].get_array().get(gates) == simdjson::SUCCESS &&
      v["passed"].get_bool().get(passed) == simdjson::SUCCESS) {
    m.GetGauge("nightjar_refresh_validation_passed", "1 when every validation gate passed")
        .Set(passed ? 1 : 0);
    for (simdjson::dom::element g : gates) {
      std::string_view name;
      uint64_t failures = 0;
      if (g["name"].get_string().get(name) || g["failures"].get_uint64().get(failures)) continue;
      m.GetGauge("nightjar_refresh_validation_gate_failures", "Offending records per gate",
                 fmt::format(R"(gate="{}")", name))
          .Set(static_cast<double>(failures));
    }
  }
  return m.Render();
}

}  // namespace nightjar
