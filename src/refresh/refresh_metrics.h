#ifndef NIGHTJAR_REFRESH_REFRESH_METRICS_H_
#define NIGHTJAR_REFRESH_REFRESH_METRICS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "refresh/report.h"

namespace nightjar {

// A finished refresh as Prometheus text, for a Pushgateway or a node-exporter textfile:
//   nightjar_refresh_success                        1 when it published (or was unchanged), else 0
//   nightjar_refresh_last_run_timestamp_seconds     when it ended
//   nightjar_refresh_last_success_timestamp_seconds only in a successful run's text
//   nightjar_refresh_duration_seconds               the whole run
//   nightjar_refresh_stage_duration_seconds{stage}
//   nightjar_refresh_documents{outcome}             read, deleted, truncated, rejected
//   nightjar_refresh_lexicon_records{lexicon}
//   nightjar_refresh_validation_passed              1/0 (absent when no version was validated)
//   nightjar_refresh_validation_gate_failures{gate}
//   nightjar_refresh_version_rejected               1 when a gate rejected the version built
//   nightjar_refresh_peak_rss_bytes
//   nightjar_refresh_attempts                       runs it took (--max-attempts)
// `report` is what the run got to (Refresher::report), `outcome` how it ended.
std::string RefreshMetricsText(const RefreshReport& report, const absl::Status& outcome,
                               absl::Time ended, double seconds, int attempts);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_REFRESH_METRICS_H_
