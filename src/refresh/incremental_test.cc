// An incremental refresh publishes exactly what a stateless refresh of the same final corpus
// publishes, run after run.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "refresh/refresher.h"
#include "store/lexicon_store.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

absl::Time Day(int d) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, d, 2, 0, 0), absl::UTCTimeZone());
}

// Every published record of the current version, lexicon by lexicon, with the version names
// and timestamps removed.
std::map<std::string, std::vector<std::string>> Published(const std::string& store_uri) {
  static const std::regex kStamps(R"re("(version|last_updated)":"[^"]*")re");
  std::map<std::string, std::vector<std::string>> out;
  auto store = LexiconStore::Open(store_uri);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return out;
  auto version = (*store)->Current();
  EXPECT_TRUE(version.ok() && version->has_value());
  if (!version.ok() || !version->has_value()) return out;
  for (std::string_view lexicon : kAllLexicons) {
    auto& lines = out[std::string(lexicon)];
    absl::Status st = (*store)->ScanLexicon(**version, lexicon, [&](std::string_view r) {
      lines.push_back(std::regex_replace(std::string(r), kStamps, R"("$1":"")"));
    });
    EXPECT_TRUE(st.ok()) << st;
  }
  return out;
}

std::string Body(std::mt19937& rng) {
  static const char* kWords[] = {"search",  "engine",   "query",   "spelling",  "serch",
                                 "the",     "of",       "a",       "new",       "york",
                                 "machine", "learning", "vector",  "index",     "ranking",
                                 "lexicon", "token",    "quantum", "retrieval", "nightjar"};
  std::string s;
  const int n = 5 + static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    s += kWords[rng() % 20];
    s += rng() % 9 == 0 ? ". " : " ";
  }
  if (rng() % 8 == 0) s += " information retrieval (IR) ";
  return s;
}

std::string Line(const std::string& id, int64_t at, const std::string* body) {
  if (body == nullptr) {
    return R"({"id":")" + id + R"(","deleted":true,"modified_at":)" + std::to_string(at) + "}\n";
  }
  return R"({"id":")" + id + R"(","modified_at":)" + std::to_string(at) + R"(,"body":")" + *body +
         "\"}\n";
}

RefreshOptions Options(const std::string& corpus, const std::string& store, int threads) {
  RefreshOptions o;
  o.source.uri = "jsonl:" + corpus;
  o.store_uri = "dir:" + store;
  o.rejects_dir = "";
  o.count.threads = threads;
  o.lexicons.spelling.min_frequency = 1;
  o.validation.size_band = false;  // runs may shrink or grow the corpus a lot
  o.validation.top_overlap = false;
  o.validation.canaries = false;
  return o;
}

// Five nights of random inserts, modifications, deletions and re-inserts from `seed`, each
// checked against a stateless rebuild of that night's final corpus.
void RunNights(int threads, uint32_t seed) {
  TempDir dir;
  std::mt19937 rng(seed);
  std::map<std::string, std::string> live;  // the final corpus so far: id -> body
  for (int run = 1; run <= 5; ++run) {
    SCOPED_TRACE(run);
    // The night's changes, as a new file: new ids, modifications, deletions, re-inserts.
    std::string changes;
    const int64_t at = int64_t{1700000000000} + run * 86400000LL;
    std::map<std::string, bool> touched;
    for (int i = 0; i < (run == 1 ? 300 : 60); ++i) {
      const std::string id = "doc" + std::to_string(rng() % 400);
      if (touched[id]) continue;  // one copy per id and night
      touched[id] = true;
      if (live.contains(id) && rng() % 4 == 0) {
        changes += Line(id, at, nullptr);
        live.erase(id);
      } else {
        const std::string body = Body(rng);
        changes += Line(id, at, &body);
        live[id] = body;
      }
    }
    // Night 4's changes are appended to night 2's file: a changed file is read again whole.
    const int file = run == 4 ? 2 : run;
    const std::string file_path = dir.Sub("nightly/run" + std::to_string(file) + ".jsonl");
    std::string before;
    if (run == 4) {
      std::ifstream in(file_path);
      before.assign(std::istreambuf_iterator<char>(in), {});
    }
    dir.Write("nightly/run" + std::to_string(file) + ".jsonl", before + changes);
    RefreshOptions inc = Options(dir.Sub("nightly"), dir.Sub("inc-store"), threads);
    inc.state.path = dir.Sub("state");
    inc.state.checkpoint_docs = 50;
    FakeClock clock(Day(run));
    auto a = Refresher::Open(inc, &clock, nullptr);
    ASSERT_TRUE(a.ok()) << a.status();
    auto ra = (*a)->Run();
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(ra->update.has_value());
    // Earlier nights' files are skipped by their cursors, but for the one that changed.
    const uint64_t files_before = static_cast<uint64_t>(std::min(run - 1, 3));  // no night-4 file
    EXPECT_EQ(ra->update->skipped_inputs, run == 4 ? files_before - 1 : files_before);
    if (run == 4) EXPECT_GT(ra->update->unchanged + ra->update->stale, 0u);
    {  // the published manifest records what the run changed
      auto store = LexiconStore::Open("dir:" + dir.Sub("inc-store"));
      ASSERT_TRUE(store.ok());
      auto m = (*store)->ReadManifest(ra->version);
      ASSERT_TRUE(m.ok()) << m.status();
      EXPECT_EQ(m->incremental_json, ra->IncrementalJson());
      EXPECT_NE(m->incremental_json.find("\"added\":"), std::string::npos);
    }

    std::string final_corpus;
    for (const auto& [id, body] : live) final_corpus += Line(id, at, &body);
    const std::string path = dir.Write("final" + std::to_string(run) + ".jsonl", final_corpus);
    const std::string full_store = dir.Sub("full-store" + std::to_string(run));
    auto b = Refresher::Open(Options(path, full_store, threads), &clock, nullptr);
    ASSERT_TRUE(b.ok()) << b.status();
    auto rb = (*b)->Run();
    ASSERT_TRUE(rb.ok()) << rb.status();
    EXPECT_EQ(ra->corpus.documents, rb->corpus.documents);

    const auto want = Published("dir:" + full_store);
    const auto got = Published("dir:" + dir.Sub("inc-store"));
    for (const auto& [lexicon, lines] : want) {
      EXPECT_EQ(got.at(lexicon), lines) << lexicon;
    }
    EXPECT_FALSE(want.at("spelling").empty());
  }
}

// How many seeds the property test runs: NIGHTJAR_PROPERTY_SEEDS (the bench runs more), else 1.
int PropertySeeds() {
  const char* env = std::getenv("NIGHTJAR_PROPERTY_SEEDS");
  return env == nullptr ? 1 : std::max(1, std::atoi(env));
}

class IncrementalTest : public ::testing::TestWithParam<int> {};

TEST_P(IncrementalTest, EveryRunPublishesWhatAFullRebuildOfTheFinalCorpusDoes) {
  const int threads = GetParam();
  for (int seed = 0; seed < PropertySeeds(); ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    RunNights(threads, static_cast<uint32_t>(2026 + threads + 1000 * seed));
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, IncrementalTest, ::testing::Values(1, 2));

TEST(IncrementalUnchangedTest, ANightWithoutChangesPublishesNothingNew) {
  TempDir dir;
  std::mt19937 rng(13);
  std::string a;
  for (int i = 0; i < 80; ++i) {
    const std::string body = Body(rng);
    a += Line("doc" + std::to_string(i), 1000, &body);
  }
  dir.Write("corpus/a.jsonl", a);
  RefreshOptions inc = Options(dir.Sub("corpus"), dir.Sub("inc"), 2);
  inc.state.path = dir.Sub("state");
  auto run = [&](const RefreshOptions& o, int day) -> absl::StatusOr<RefreshReport> {
    FakeClock clock(Day(day));
    auto r = Refresher::Open(o, &clock, nullptr);
    if (!r.ok()) return r.status();
    return (*r)->Run();
  };
  auto first = run(inc, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->unchanged_since, "");
  auto second = run(inc, 2);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->unchanged_since, first->version);
  EXPECT_EQ(second->version, first->version);
  RefreshOptions other = inc;  // other settings: the lexicons may differ, so publish
  other.lexicons.phrases.min_count += 1;
  auto third = run(other, 3);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->unchanged_since, "");
  EXPECT_NE(third->version, first->version);
  const std::string b = Body(rng);  // a change
  dir.Write("corpus/b.jsonl", Line("new", 2000, &b));
  auto fourth = run(other, 4);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(fourth->unchanged_since, "");
  EXPECT_EQ(fourth->update->added, 1u);
}

TEST(IncrementalRejectsTest, AFileWithRejectsIsReadAgainSoTheGateSeesThemAgain) {
  TempDir dir;
  std::mt19937 rng(17);
  std::string a, b;
  for (int i = 0; i < 200; ++i) {
    const std::string body = Body(rng);
    (i % 2 ? b : a) += Line("doc" + std::to_string(i), 1000, &body);
  }
  b += "{broken\n";
  dir.Write("corpus/a.jsonl", a);
  dir.Write("corpus/b.jsonl", b);
  RefreshOptions inc = Options(dir.Sub("corpus"), dir.Sub("inc"), 2);
  inc.state.path = dir.Sub("state");
  for (int night = 1; night <= 2; ++night) {
    FakeClock clock(Day(night));
    auto r = Refresher::Open(inc, &clock, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    auto report = (*r)->Run();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->rejects.total, 1u) << night;                    // counted again on night 2
    EXPECT_EQ(report->update->skipped_inputs, night == 1 ? 0u : 1u);  // only the clean file
  }
}

TEST(IncrementalReconcileTest, DocumentsGoneWithoutATombstoneLeaveOnlyWithReconcile) {
  TempDir dir;
  std::mt19937 rng(9);
  std::string a, b;
  for (int i = 0; i < 120; ++i) {
    const std::string body = Body(rng);
    (i % 3 == 0 ? b : a) += Line("doc" + std::to_string(i), 1000, &body);
  }
  dir.Write("corpus/a.jsonl", a);
  const std::string b_path = dir.Write("corpus/b.jsonl", b);
  RefreshOptions inc = Options(dir.Sub("corpus"), dir.Sub("inc"), 2);
  inc.state.path = dir.Sub("state");
  FakeClock clock(Day(4));
  auto run = [&](bool reconcile) -> absl::StatusOr<RefreshReport> {
    RefreshOptions o = inc;
    o.state.reconcile = reconcile;
    auto r = Refresher::Open(o, &clock, nullptr);
    if (!r.ok()) return r.status();
    return (*r)->Run();
  };
  ASSERT_TRUE(run(false).ok());
  std::filesystem::remove(b_path);  // b's documents are gone, no tombstones
  auto plain = run(false);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->corpus.documents, 120u);  // the state still holds them
  auto reconciled = run(true);
  ASSERT_TRUE(reconciled.ok()) << reconciled.status();
  EXPECT_EQ(reconciled->update->gone, 40u);
  EXPECT_EQ(reconciled->update->skipped_inputs, 0u);  // every input read
  EXPECT_EQ(reconciled->corpus.documents, 80u);
  auto full =
      Refresher::Open(Options(dir.Sub("corpus/a.jsonl"), dir.Sub("full"), 2), &clock, nullptr);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE((*full)->Run().ok());
  const auto want = Published("dir:" + dir.Sub("full"));
  const auto got = Published("dir:" + dir.Sub("inc"));
  for (const auto& [lexicon, lines] : want) EXPECT_EQ(got.at(lexicon), lines) << lexicon;
}

TEST(StatelessRefreshTest, DuplicatesAndTombstonesCountOnlyTheWinningCopies) {
  TempDir dir;
  std::mt19937 rng(5);
  std::string with_copies, winners;
  for (int i = 0; i < 200; ++i) {
    const std::string id = "doc" + std::to_string(i);
    const std::string a = Body(rng), b = Body(rng);
    switch (i % 5) {
      case 0:  // a newer copy later: it wins
        with_copies += Line(id, 1000, &a) + Line(id, 2000, &b);
        winners += Line(id, 2000, &b);
        break;
      case 1:  // an older copy later: the first wins
        with_copies += Line(id, 2000, &a) + Line(id, 1000, &b);
        winners += Line(id, 2000, &a);
        break;
      case 2:  // deleted after it was written
        with_copies += Line(id, 1000, &a) + Line(id, 2000, nullptr);
        break;
      default:
        with_copies += Line(id, 1000, &a);
        winners += Line(id, 1000, &a);
    }
  }
  with_copies += Line("never-seen", 3000, nullptr);
  FakeClock clock(Day(3));
  const std::string a_store = dir.Sub("a"), b_store = dir.Sub("b");
  RefreshOptions with = Options(dir.Write("copies.jsonl", with_copies), a_store, 2);
  with.state.checkpoint_docs = 7;  // the temporary state's: copies fall in different checkpoints
  auto a = Refresher::Open(with, &clock, nullptr);
  ASSERT_TRUE(a.ok()) << a.status();
  auto ra = (*a)->Run();
  ASSERT_TRUE(ra.ok()) << ra.status();
  EXPECT_EQ(ra->state_path, "(temporary)");
  ASSERT_TRUE(ra->update.has_value());
  EXPECT_EQ(ra->update->duplicates, 120u);  // cases 0, 1 and 2: one extra copy each, run-wide
  auto b =
      Refresher::Open(Options(dir.Write("winners.jsonl", winners), b_store, 2), &clock, nullptr);
  ASSERT_TRUE(b.ok()) << b.status();
  auto rb = (*b)->Run();
  ASSERT_TRUE(rb.ok()) << rb.status();
  EXPECT_EQ(rb->state_path, "");  // no copies, no tombstones: the fast path
  EXPECT_EQ(ra->corpus.documents, rb->corpus.documents);
  EXPECT_EQ(ra->corpus.documents, 160u);
  const auto want = Published("dir:" + b_store);
  const auto got = Published("dir:" + a_store);
  for (const auto& [lexicon, lines] : want) EXPECT_EQ(got.at(lexicon), lines) << lexicon;
}

}  // namespace
}  // namespace nightjar
