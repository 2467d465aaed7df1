// The LexiconStore contract, as typed tests every backend runs: include this header in a
// backend's test file and instantiate StoreContractTest with a StoreFactory for it.
#ifndef NIGHTJAR_STORE_STORE_CONTRACT_TEST_H_
#define NIGHTJAR_STORE_STORE_CONTRACT_TEST_H_

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/lexicon_store.h"
#include "store/retention.h"
#include "store/store_test_util.h"

namespace nightjar {

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    uri_ = GetParam()();
    auto s = LexiconStore::Open(uri_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  std::string uri_;
  std::unique_ptr<LexiconStore> store_;
};

TEST_P(StoreContractTest, CommitActivateListAndScan) {
  using ::testing::ElementsAre;
  auto none = store_->Current();
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  std::string v1 = Commit(*store_, Day(2026, 11, 23), {"alpha", "beta"});
  std::string v2 = Commit(*store_, Day(2026, 11, 23, 5), {"gamma"});
  std::string v3 = Commit(*store_, Day(2026, 11, 24), {"delta"});
  EXPECT_EQ(v1, "v1.20261123");
  EXPECT_EQ(v2, "v1.20261123.2");
  EXPECT_EQ(v3, "v1.20261124");
  // Committed is not active.
  EXPECT_FALSE(store_->Current()->has_value());
  ASSERT_TRUE(Activate(*store_, v1, Day(2026, 11, 24, 3)).ok());
  ASSERT_TRUE(Activate(*store_, v3, Day(2026, 11, 24, 4)).ok());
  EXPECT_EQ(**store_->Current(), v3);
  EXPECT_EQ(**store_->Previous(), v1);
  auto list = store_->List();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(Names(*list), ElementsAre(v1, v2, v3));
  EXPECT_EQ((*list)[0].state, VersionState::kRetired);
  EXPECT_EQ((*list)[1].state, VersionState::kValidated);
  EXPECT_EQ((*list)[2].state, VersionState::kActive);
  EXPECT_EQ((*list)[2].activated_by, "test");
  EXPECT_EQ((*list)[2].activated_at, Day(2026, 11, 24, 4));
  EXPECT_EQ((*list)[0].created_at, Day(2026, 11, 23));

  absl::Status st;
  EXPECT_THAT(SortedRecords(*store_, v1, &st),
              ElementsAre(R"({"word":"alpha"})", R"({"word":"beta"})"));
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(store_->ScanLexicon(v1, "related", [](std::string_view) {}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadManifest("v1.20991231").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadManifest("../x").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, AbandonedBuildLeavesNothingAndIsNeverCurrent) {
  std::string v1 = Commit(*store_, Day(2026, 11, 23), {"alpha"});
  ASSERT_TRUE(Activate(*store_, v1, Day(2026, 11, 23)).ok());
  {
    auto b = store_->Begin(Day(2026, 11, 24));
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE((*b)->Append("spelling", "x", "{}").ok());
    ASSERT_TRUE((*b)->Seal().ok());
    // A version still building can't be activated, and isn't listed.
    EXPECT_FALSE(Activate(*store_, (*b)->version(), Day(2026, 11, 24)).ok());
    EXPECT_EQ(store_->List()->size(), 1u);
    // destroyed without Commit, like a run that failed half-way
  }
  EXPECT_EQ(**store_->Current(), v1);
  EXPECT_THAT(Names(*store_->List()), ::testing::ElementsAre(v1));
  // The next build takes the name the abandoned one had.
  EXPECT_EQ(Commit(*store_, Day(2026, 11, 24), {"beta"}), "v1.20261124");
}

TEST_P(StoreContractTest, RejectedVersionNeedsForce) {
  std::string good = Commit(*store_, Day(2026, 11, 23), {"alpha"});
  std::string bad = Commit(*store_, Day(2026, 11, 24), {"beta"}, VersionState::kRejected);
  ASSERT_TRUE(Activate(*store_, good, Day(2026, 11, 24)).ok());
  auto refused = Activate(*store_, bad, Day(2026, 11, 24));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(**store_->Current(), good);
  ASSERT_TRUE(Activate(*store_, bad, Day(2026, 11, 24), "activate", /*force=*/true).ok());
  EXPECT_EQ(**store_->Current(), bad);
  auto list = *store_->List();
  EXPECT_EQ(list[1].state, VersionState::kActive);
  EXPECT_THAT(list[1].note, ::testing::StartsWith("forced: "));
}

TEST_P(StoreContractTest, RollbackAndAudit) {
  std::string a = Commit(*store_, Day(2026, 11, 21), {"a"});
  std::string b = Commit(*store_, Day(2026, 11, 22), {"b"});
  std::string c = Commit(*store_, Day(2026, 11, 23), {"c"});
  EXPECT_EQ(Activate(*store_, "", Day(2026, 11, 23), "rollback").status().code(),
            absl::StatusCode::kFailedPrecondition);  // nothing to roll back to
  EXPECT_EQ(Activate(*store_, "v1.20991231", Day(2026, 11, 23)).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(Activate(*store_, a, Day(2026, 11, 23, 1)).ok());
  ASSERT_TRUE(Activate(*store_, b, Day(2026, 11, 23, 2)).ok());
  ASSERT_TRUE(Activate(*store_, c, Day(2026, 11, 23, 3)).ok());
  auto back = Activate(*store_, "", Day(2026, 11, 23, 4), "rollback");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->version, b);
  EXPECT_EQ(back->previous, c);
  EXPECT_EQ(**store_->Current(), b);
  EXPECT_EQ(**store_->Previous(), c);
  auto to_a = Activate(*store_, a, Day(2026, 11, 23, 5), "rollback");
  ASSERT_TRUE(to_a.ok());
  EXPECT_EQ(**store_->Current(), a);
  auto audit = store_->Audit(10);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 5u);
  EXPECT_EQ((*audit)[0].action, "rollback");
  EXPECT_EQ((*audit)[0].version, a);
  EXPECT_EQ((*audit)[0].previous, b);
  EXPECT_EQ((*audit)[0].at, Day(2026, 11, 23, 5));
  EXPECT_EQ((*audit)[4].action, "activate");
  EXPECT_EQ((*audit)[4].version, a);
  EXPECT_EQ((*audit)[4].previous, "");
  EXPECT_EQ((*audit)[4].actor, "test");
  EXPECT_EQ(store_->Audit(2)->size(), 2u);
}

TEST_P(StoreContractTest, DeleteProtectsCurrentAndRollbackTarget) {
  std::string a = Commit(*store_, Day(2026, 11, 21), {"a"});
  std::string b = Commit(*store_, Day(2026, 11, 22), {"b"});
  std::string c = Commit(*store_, Day(2026, 11, 23), {"c"});
  ASSERT_TRUE(Activate(*store_, b, Day(2026, 11, 23)).ok());
  ASSERT_TRUE(Activate(*store_, c, Day(2026, 11, 23)).ok());
  EXPECT_EQ(store_->Delete(c).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Delete(b).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->Delete(a).ok());
  EXPECT_THAT(Names(*store_->List()), ::testing::ElementsAre(b, c));
  EXPECT_EQ(store_->ReadManifest(a).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete(a).code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, RetentionByAgeWithAFakeClock) {
  // One version a day, Nov 1..10; Nov 2 is current, Nov 3 the rollback target.
  std::vector<std::string> v;
  for (int d = 1; d <= 10; ++d) v.push_back(Commit(*store_, Day(2026, 11, d), {"w"}));
  ASSERT_TRUE(Activate(*store_, v[2], Day(2026, 11, 10)).ok());
  ASSERT_TRUE(Activate(*store_, v[1], Day(2026, 11, 10), "rollback").ok());
  const absl::Time now = Day(2026, 11, 10, 12);  // 7 days back: Nov 3, 12:00
  auto dry = PruneVersions(*store_, now, absl::Hours(24 * 7), /*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  // Nov 1 goes; Nov 2 (current) and Nov 3 (rollback target) stay though old.
  EXPECT_THAT(dry->deleted, ::testing::ElementsAre(v[0]));
  EXPECT_EQ(store_->List()->size(), 10u);
  auto real = PruneVersions(*store_, now, absl::Hours(24 * 7), /*dry_run=*/false);
  ASSERT_TRUE(real.ok());
  EXPECT_THAT(real->deleted, ::testing::ElementsAre(v[0]));
  EXPECT_EQ(store_->List()->size(), 9u);
  // A week later everything but current and target is gone.
  ASSERT_TRUE(PruneVersions(*store_, now + absl::Hours(24 * 8), absl::Hours(24 * 7), false).ok());
  EXPECT_THAT(Names(*store_->List()), ::testing::ElementsAre(v[1], v[2]));
  absl::Status st;
  EXPECT_EQ(SortedRecords(*store_, v[1], &st).size(), 1u);
  EXPECT_TRUE(st.ok()) << st;
}

TEST_P(StoreContractTest, WatcherSeesActivationFromAnotherClient) {
  std::string a = Commit(*store_, Day(2026, 11, 21), {"a"});
  auto watcher = store_->Watch();
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  // The other client's errors are collected and checked after it is joined (a jthread joins
  // even when an assertion below returns early).
  absl::Status other_status;
  std::jthread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto s2 = LexiconStore::Open(uri_);
    other_status = s2.ok() ? Activate(**s2, a, Day(2026, 11, 21)).status() : s2.status();
  });
  bool seen = false;
  absl::Status wait_status;
  for (int i = 0; i < 50 && !seen && wait_status.ok(); ++i) {
    auto w = (*watcher)->Wait(absl::Milliseconds(100));
    wait_status = w.status();
    seen = w.ok() && *w;
  }
  other.join();
  EXPECT_TRUE(other_status.ok()) << other_status;
  EXPECT_TRUE(wait_status.ok()) << wait_status;
  EXPECT_TRUE(seen);
  EXPECT_EQ(**store_->Current(), a);
}

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_STORE_CONTRACT_TEST_H_
