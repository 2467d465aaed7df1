#include "state/updater.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

// One offered copy: an id, a time (or none), and text or a tombstone.
struct Copy {
  std::string id;
  int64_t modified_at = Document::kNoTime;
  bool deleted = false;
  std::vector<std::string> fields;
};

Document View(const Copy& c, std::vector<std::string_view>* views) {
  views->assign(c.fields.begin(), c.fields.end());
  Document d;
  d.id = c.id;
  d.fields = *views;
  d.modified_at_ms = c.modified_at;
  d.deleted = c.deleted;
  return d;
}

// The rule, applied one copy at a time: the reference the updater must agree with.
bool Wins(const Copy& c, const Copy& held) {
  return c.modified_at == Document::kNoTime || held.modified_at == Document::kNoTime ||
         c.modified_at >= held.modified_at;
}

std::vector<std::string> Text(std::mt19937& rng) {
  static const char* kWords[] = {"alpha", "beta", "gamma", "delta", "the",
                                 "of",    "New",  "York",  "x1",    "quantum"};
  std::vector<std::string> fields(2);
  for (auto& f : fields) {
    const int n = static_cast<int>(rng() % 10);
    for (int i = 0; i < n; ++i) f += std::string(kWords[rng() % 10]) + (rng() % 6 ? " " : ". ");
    if (rng() % 6 == 0) f += "natural language processing (NLP)";
  }
  return fields;
}

// A run's copies: new ids, modifications, tombstones (some of ids never seen), re-inserts,
// duplicates within the run, copies older than the held one, and copies without a time.
std::vector<Copy> RandomRun(std::mt19937& rng, int run) {
  std::vector<Copy> out;
  const int n = 30 + static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    Copy c;
    c.id = "doc" + std::to_string(rng() % 60);
    const int kind = static_cast<int>(rng() % 10);
    c.modified_at = kind == 0 ? Document::kNoTime : 1000 * run + static_cast<int64_t>(rng() % 50);
    if (kind == 1) c.modified_at -= 3000;  // an old copy
    c.deleted = kind == 2 || kind == 3;
    if (!c.deleted) c.fields = Text(rng);
    out.push_back(std::move(c));
  }
  return out;
}

struct Counted {
  TermTable terms;
  CorpusTotals totals;
  AbbreviationCounts abbreviations;
};

Counted CountLive(const std::map<std::string, Copy>& held) {
  DocumentCounter c{TokenizerOptions{}};
  c.CountAbbreviationsToo();
  std::vector<std::string_view> views;
  for (const auto& [id, copy] : held) {
    if (!copy.deleted) c.Add(View(copy, &views));
  }
  return Counted{std::move(c.terms()), c.totals(), c.abbreviations()};
}

// A fresh state in `dir`, without fsyncs.
absl::StatusOr<std::unique_ptr<StateStore>> OpenState(const TempDir& dir) {
  StateOptions so;
  so.path = dir.Sub("state");
  so.sync = false;
  return StateStore::Open(so);
}

class UpdaterTest : public ::testing::TestWithParam<std::tuple<int, size_t, size_t>> {};

TEST_P(UpdaterTest, StateEqualsACountOfTheWinningCopiesAfterEveryRun) {
  const auto [threads, checkpoint_docs, table_bytes] = GetParam();
  TempDir dir;
  auto state = OpenState(dir);
  ASSERT_TRUE(state.ok()) << state.status();
  std::mt19937 rng(11);
  std::map<std::string, Copy> held;  // the reference
  UpdateOptions uo;
  uo.threads = threads;
  uo.checkpoint_docs = checkpoint_docs;
  uo.table_bytes = table_bytes;
  for (int run = 1; run <= 8; ++run) {
    SCOPED_TRACE(run);
    const std::vector<Copy> copies = RandomRun(rng, run);
    StateUpdater updater(state->get(), uo);
    uint64_t changed_or_new = 0;
    for (const Copy& c : copies) {
      std::vector<std::string_view> views;
      ASSERT_TRUE(updater.Offer(View(c, &views)).ok());
      auto it = held.find(c.id);
      if (it == held.end() || Wins(c, it->second)) {
        held[c.id] = c;
        ++changed_or_new;
      }
    }
    updater.SetCursor("run", std::to_string(run));
    ASSERT_TRUE(updater.Finish().ok());
    const UpdateReport& r = updater.report();
    EXPECT_EQ(r.seen, copies.size());
    EXPECT_GE(r.checkpoints, 1u);
    EXPECT_GT(r.added + r.modified + r.deleted + r.unchanged, 0u);
    auto counts = (*state)->LoadCounts();
    ASSERT_TRUE(counts.ok()) << counts.status();
    const Counted want = CountLive(held);
    EXPECT_TRUE(counts->terms == want.terms);
    EXPECT_TRUE(counts->totals == want.totals);
    EXPECT_TRUE(counts->abbreviations == want.abbreviations);
    size_t live = 0;
    ASSERT_TRUE((*state)
                    ->ForEachDocument([&](std::string_view id, const DocRecord& rec) {
                      auto it = held.find(std::string(id));
                      ASSERT_NE(it, held.end()) << id;
                      EXPECT_EQ(rec.deleted, it->second.deleted) << id;
                      if (!rec.deleted) {
                        ++live;
                        EXPECT_EQ(rec.fields, it->second.fields) << id;
                      }
                    })
                    .ok());
    EXPECT_EQ(live, static_cast<size_t>(std::count_if(held.begin(), held.end(), [](const auto& e) {
                return !e.second.deleted;
              })));
    auto cursor = (*state)->GetCursor("run");
    ASSERT_TRUE(cursor.ok());
    EXPECT_EQ(cursor->value_or(""), std::to_string(run));
  }
  EXPECT_FALSE(CountLive(held).terms == TermTable());
}

INSTANTIATE_TEST_SUITE_P(ThreadsAndCheckpoints, UpdaterTest,
                         ::testing::Combine(::testing::Values(1, 2),
                                            ::testing::Values(size_t{1}, size_t{7}, size_t{100000}),
                                            ::testing::Values(size_t{0}, size_t{20000})));

TEST(UpdaterReportTest, ReOfferingTheSameInputChangesNothing) {
  TempDir dir;
  auto state = OpenState(dir);
  ASSERT_TRUE(state.ok());
  std::mt19937 rng(3);
  std::vector<Copy> copies;
  copies.reserve(20);
  for (int i = 0; i < 20; ++i) {
    copies.push_back(Copy{"d" + std::to_string(i), 100, false, Text(rng)});
  }
  for (int pass = 0; pass < 2; ++pass) {
    StateUpdater u(state->get(), UpdateOptions{});
    for (const Copy& c : copies) {
      std::vector<std::string_view> views;
      ASSERT_TRUE(u.Offer(View(c, &views)).ok());
    }
    ASSERT_TRUE(u.Finish().ok());
    EXPECT_EQ(u.report().added, pass == 0 ? 20u : 0u);
    EXPECT_EQ(u.report().unchanged, pass == 0 ? 0u : 20u);
  }
}

TEST(UpdaterReportTest, TextBytesBringCheckpointsEarly) {
  TempDir dir;
  auto state = OpenState(dir);
  ASSERT_TRUE(state.ok());
  UpdateOptions uo;
  uo.checkpoint_docs = 1000;
  uo.checkpoint_bytes = 100;  // every document below is 60 bytes of text
  StateUpdater u(state->get(), uo);
  for (int i = 0; i < 10; ++i) {
    Copy c{"d" + std::to_string(i), 1, false, {std::string(60, 'a' + static_cast<char>(i))}};
    std::vector<std::string_view> views;
    ASSERT_TRUE(u.Offer(View(c, &views)).ok());
  }
  ASSERT_TRUE(u.Finish().ok());
  EXPECT_EQ(u.report().checkpoints, 5u);  // after every second document
  EXPECT_EQ(u.report().added, 10u);
}

// Term deltas past UpdateOptions::table_bytes bring checkpoints early: the first assumes every
// token a new term, the next ones go by what the last one measured.
TEST(UpdaterReportTest, DeltaBytesBringCheckpointsEarly) {
  TempDir dir;
  auto state = OpenState(dir);
  ASSERT_TRUE(state.ok());
  UpdateOptions uo;
  uo.checkpoint_docs = 1000;
  uo.table_bytes = 24 * 130;  // the first checkpoint after 130 bytes of text
  StateUpdater u(state->get(), uo);
  for (int i = 0; i < 10; ++i) {
    Copy c{"d" + std::to_string(i), 1, false, {std::string(60, 'a' + static_cast<char>(i))}};
    std::vector<std::string_view> views;
    ASSERT_TRUE(u.Offer(View(c, &views)).ok());
  }
  ASSERT_TRUE(u.Finish().ok());
  // A fresh table for 180 bytes of text measures far past the worst case, which bounds the
  // ratio: every checkpoint holds three documents (180 bytes), the last one.
  EXPECT_EQ(u.report().checkpoints, 4u);
  EXPECT_EQ(u.report().added, 10u);
}

}  // namespace
}  // namespace nightjar
