#include "obs/progress.h"

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(ProgressTest, FormatsRatesAndEta) {
  ProgressSample s{1000, 50'000'000, 25, 100};
  EXPECT_EQ(ProgressReporter::Format("refresh", s, 10.0),
            "refresh: 1000 docs, 50.0 MB, 100 docs/s, 5.0 MB/s, 25%, ETA 0:30");
}

TEST(ProgressTest, NoEtaWhenTotalUnknown) {
  ProgressSample s{10, 1'000'000, 5, 0};
  EXPECT_EQ(ProgressReporter::Format("x", s, 2.0), "x: 10 docs, 1.0 MB, 5 docs/s, 0.5 MB/s");
}

TEST(ProgressTest, PeakRssIsPositive) { EXPECT_GT(PeakRssBytes(), 0u); }

}  // namespace
}  // namespace nightjar
