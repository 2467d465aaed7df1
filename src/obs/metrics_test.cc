#include "obs/metrics.h"

#include <fmt/format.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersGaugesAndCumulativeHistograms) {
  MetricsRegistry m;
  m.GetCounter("jobs_total", "Jobs done", R"(queue="a")").Add(3);
  m.GetCounter("jobs_total", "Jobs done", R"(queue="b")").Add();
  EXPECT_EQ(&m.GetCounter("jobs_total", "Jobs done", R"(queue="a")"),
            &m.GetCounter("jobs_total", "Jobs done", R"(queue="a")"));
  m.GetGauge("depth", "Queue depth").Set(2.5);
  Histogram& h = m.GetHistogram("latency_seconds", "Latency");
  h.Observe(0.0001);
  h.Observe(1000);
  const std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("# HELP jobs_total Jobs done\n# TYPE jobs_total counter\n"));
  EXPECT_THAT(text, HasSubstr("jobs_total{queue=\"a\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("jobs_total{queue=\"b\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE depth gauge\ndepth 2.5\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE latency_seconds histogram\n"));
  // Buckets are cumulative: the smallest holds one observation, +Inf both.
  const std::string first =
      "latency_seconds_bucket{le=\"" + fmt::format("{}", h.bounds().front()) + "\"} 1\n";
  EXPECT_THAT(text, HasSubstr(first));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_sum 1000.0001"));
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.count(), 2u);
}

}  // namespace
}  // namespace nightjar
