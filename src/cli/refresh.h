#ifndef NIGHTJAR_CLI_REFRESH_H_
#define NIGHTJAR_CLI_REFRESH_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/config.h"
#include "refresh/observer.h"
#include "refresh/report.h"
#include "util/clock.h"

namespace nightjar {

// `nightjar refresh`: runs a Refresher over `config` (progress on stderr unless quiet) and
// returns its report. Errors are the Refresher's. A run that fails for a reason a retry may
// cure (not bad config, not a data gate) is tried again, up to refresh.max_attempts times, after
// refresh.retry_backoff_s doubling. The outcome is pushed to metrics.pushgateway and written to
// metrics.textfile when set (a failed push is reported on stderr, and fails nothing).
// `observer` (when not null) is told the stages instead of the progress line.
[[nodiscard]] absl::StatusOr<RefreshReport> RunRefresh(const Config& config, bool quiet,
                                                       const Clock& clock,
                                                       RefreshObserver* observer);
[[nodiscard]] absl::StatusOr<RefreshReport> RunRefresh(const Config& config, bool quiet,
                                                       const Clock& clock);

// The report for people: the version, the corpus, what was published, and the speed of the
// count stage and of the whole run, each labelled.
std::string RefreshSummaryText(const RefreshReport& report);

}  // namespace nightjar

#endif  // NIGHTJAR_CLI_REFRESH_H_
