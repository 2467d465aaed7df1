#include "state/state_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "count/field_cache.h"
#include "count/term_cap.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

// Documents as a source would hand them out: id -> text fields.
using Corpus = std::map<std::string, std::vector<std::string>>;

std::vector<std::string> RandomFields(std::mt19937& rng) {
  static const char* kWords[] = {"search", "engine", "query",   "spelling", "the",
                                 "of",     "a",      "lexicon", "zebra",    "Nightjar"};
  std::vector<std::string> fields(2);
  for (auto& f : fields) {
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) f += std::string(kWords[rng() % 10]) + (rng() % 7 ? " " : ". ");
    if (rng() % 5 == 0) f += " machine learning (ML) ";
  }
  return fields;
}

// What DocumentCounter counts of the documents: the reference every state must equal.
struct Counted {
  TermTable terms;
  CorpusTotals totals;
  AbbreviationCounts abbreviations;
};

template <typename Docs>
Counted CountOf(const Docs& docs) {
  DocumentCounter c{TokenizerOptions{}};
  c.CountAbbreviationsToo();
  for (const auto& [id, rec] : docs) {
    std::vector<std::string_view> views;
    c.Add(rec.View(id, &views));
  }
  return Counted{std::move(c.terms()), c.totals(), c.abbreviations()};
}

DocRecord RecordOf(const std::string& id, const std::vector<std::string>& fields) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  Document d;
  d.id = id;
  d.fields = views;
  return DocRecord::Of(d);
}

StateOptions Options(const TempDir& dir) {
  StateOptions o;
  o.path = dir.Sub("state");
  o.identity = "tokenizer=default";
  o.sync = false;
  return o;
}

// Applies one run: puts every document of `put` (adding it, after subtracting the old copy)
// and removes every id of `erase`, in one commit, through the state's own records.
void ApplyRun(StateStore& state, const std::map<std::string, DocRecord>& put,
              const std::vector<std::string>& erase) {
  std::map<std::string, DocRecord> old;
  for (const auto& [id, rec] : put) {
    auto prev = state.GetDocument(id);
    ASSERT_TRUE(prev.ok());
    if (*prev) old.emplace(id, **prev);
  }
  for (const auto& id : erase) {
    auto prev = state.GetDocument(id);
    ASSERT_TRUE(prev.ok());
    ASSERT_TRUE(prev->has_value()) << id;
    old.emplace(id, **prev);
  }
  StateBatch batch = state.NewBatch();
  Counted removed = CountOf(old), added = CountOf(put);
  batch.AddCounts(removed.terms, removed.totals, removed.abbreviations, -1);
  batch.AddCounts(added.terms, added.totals, added.abbreviations, +1);
  for (const auto& [id, rec] : put) batch.PutDocument(id, rec);
  for (const auto& id : erase) batch.EraseDocument(id);
  ASSERT_TRUE(state.Commit(batch).ok());
}

void ExpectCountsOf(const StateStore& state, const std::map<std::string, DocRecord>& live) {
  auto counts = state.LoadCounts();
  ASSERT_TRUE(counts.ok()) << counts.status();
  const Counted want = CountOf(live);
  EXPECT_TRUE(counts->terms == want.terms);
  EXPECT_TRUE(counts->totals == want.totals);
  EXPECT_TRUE(counts->abbreviations == want.abbreviations);
  EXPECT_EQ(counts->distinct_terms, want.terms.size());
  // Capped as a count of the same documents would be.
  const uint64_t cap = want.terms.size() / 2;
  auto capped = state.LoadCounts(cap);
  ASSERT_TRUE(capped.ok()) << capped.status();
  TermTable want_capped;
  want_capped.Merge(want.terms);
  EXPECT_EQ(capped->min_kept_frequency, KeepMostFrequent(cap, &want_capped));
  EXPECT_TRUE(capped->terms == want_capped);
  EXPECT_LE(capped->terms.size(), cap);
  EXPECT_EQ(capped->distinct_terms, want.terms.size());
  std::map<std::string, DocRecord> stored;
  ASSERT_TRUE(state
                  .ForEachDocument([&](std::string_view id, const DocRecord& r) {
                    stored.emplace(std::string(id), r);
                  })
                  .ok());
  EXPECT_EQ(stored, live);
  // The id index names exactly the records.
  auto index = state.ReadIdIndex();
  ASSERT_TRUE(index.ok()) << index.status();
  std::vector<uint64_t> want_hashes;
  for (const auto& [id, r] : live) want_hashes.push_back(DocumentIdHash(id));
  std::sort(want_hashes.begin(), want_hashes.end());
  EXPECT_EQ(index->live, want_hashes);
  EXPECT_TRUE(index->deleted.empty());
}

TEST(StateStoreTest, CountsEqualACountOfTheLiveDocumentsAfterEveryRun) {
  TempDir dir;
  std::mt19937 rng(7);
  std::map<std::string, DocRecord> live;
  auto state = StateStore::Open(Options(dir));
  ASSERT_TRUE(state.ok()) << state.status();
  for (int run = 0; run < 6; ++run) {
    std::map<std::string, DocRecord> put;
    std::vector<std::string> erase;
    for (int i = 0; i < 40; ++i) {  // new ids, re-inserted ones and modifications
      const std::string id = "d" + std::to_string(rng() % 80);
      put[id] = RecordOf(id, RandomFields(rng));
    }
    for (const auto& [id, rec] : live) {
      if (!put.contains(id) && rng() % 6 == 0) erase.push_back(id);
    }
    ApplyRun(**state, put, erase);
    for (const auto& id : erase) live.erase(id);
    for (auto& [id, rec] : put) live[id] = rec;
    SCOPED_TRACE(run);
    ExpectCountsOf(**state, live);
  }
  EXPECT_FALSE(CountOf(live).terms == TermTable());
  // And the same after reopening: the counts are on disk.
  state->reset();
  auto again = StateStore::Open(Options(dir));
  ASSERT_TRUE(again.ok()) << again.status();
  ExpectCountsOf(**again, live);
}

TEST(StateStoreTest, AnUncommittedBatchLeavesNothing) {
  TempDir dir;
  auto state = StateStore::Open(Options(dir));
  ASSERT_TRUE(state.ok());
  {
    StateBatch batch = (*state)->NewBatch();
    batch.PutDocument("x", RecordOf("x", {"lost"}));
    batch.PutCursor("jsonl:a", "1");
    EXPECT_EQ(batch.size(), 3u);  // the record, its id index entry, the cursor
  }
  auto doc = (*state)->GetDocument("x");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->has_value());
  auto cursor = (*state)->GetCursor("jsonl:a");
  ASSERT_TRUE(cursor.ok());
  EXPECT_FALSE(cursor->has_value());
  auto counts = (*state)->LoadCounts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->terms.size(), 0u);
}

// The id index of the records `put` (in this order) and then `erase` leave.
StateStore::IdIndex IndexAfter(const TempDir& dir, const std::string& name,
                               const std::vector<std::pair<std::string, DocRecord>>& put,
                               const std::vector<std::string>& erase) {
  StateOptions o = Options(dir);
  o.path = dir.Sub(name);
  auto state = StateStore::Open(o);
  EXPECT_TRUE(state.ok());
  for (const auto& [id, r] : put) {  // one commit each: a history
    StateBatch batch = (*state)->NewBatch();
    batch.PutDocument(id, r);
    EXPECT_TRUE((*state)->Commit(batch).ok());
  }
  StateBatch batch = (*state)->NewBatch();
  for (const auto& id : erase) batch.EraseDocument(id);
  EXPECT_TRUE((*state)->Commit(batch).ok());
  auto index = (*state)->ReadIdIndex();
  EXPECT_TRUE(index.ok()) << index.status();
  return *index;
}

TEST(StateStoreTest, TheIdIndexKeepsTombstonesApartAndDigestsTheLiveDocuments) {
  TempDir dir;
  DocRecord gone = RecordOf("b", {});
  gone.deleted = true;
  const StateStore::IdIndex a = IndexAfter(
      dir, "a", {{"a", RecordOf("a", {"kept"})}, {"b", gone}, {"c", RecordOf("c", {"x"})}}, {"c"});
  EXPECT_EQ(a.live, std::vector<uint64_t>{DocumentIdHash("a")});
  EXPECT_EQ(a.deleted, std::vector<uint64_t>{DocumentIdHash("b")});
  // The same live documents by another history: the same digest.
  const StateStore::IdIndex b =
      IndexAfter(dir, "b", {{"a", RecordOf("a", {"first"})}, {"a", RecordOf("a", {"kept"})}}, {});
  EXPECT_EQ(b.digest, a.digest);
  EXPECT_NE(b.digest, 0u);
  // Another content, another id, or a truncation: another digest.
  EXPECT_NE(IndexAfter(dir, "c", {{"a", RecordOf("a", {"kept "})}}, {}).digest, a.digest);
  EXPECT_NE(IndexAfter(dir, "d", {{"e", RecordOf("e", {"kept"})}}, {}).digest, a.digest);
  DocRecord cut = RecordOf("a", {"kept"});
  cut.truncated = true;
  EXPECT_NE(IndexAfter(dir, "e", {{"a", cut}}, {}).digest, a.digest);
}

TEST(StateStoreTest, CursorsPersist) {
  TempDir dir;
  {
    auto state = StateStore::Open(Options(dir));
    ASSERT_TRUE(state.ok());
    StateBatch b = (*state)->NewBatch();
    b.PutCursor("jsonl:/data/a.jsonl", "size=10 xxh=ab");
    ASSERT_TRUE((*state)->Commit(b).ok());
  }
  auto state = StateStore::Open(Options(dir));
  ASSERT_TRUE(state.ok());
  auto c = (*state)->GetCursor("jsonl:/data/a.jsonl");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->value_or(""), "size=10 xxh=ab");
}

TEST(StateStoreTest, OtherSettingsOrAnotherHolderFailNamingTheCause) {
  TempDir dir;
  {
    auto state = StateStore::Open(Options(dir));
    ASSERT_TRUE(state.ok());
    auto second = StateStore::Open(Options(dir));  // held by this process
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
    EXPECT_THAT(std::string(second.status().message()), HasSubstr("in use"));
  }
  StateOptions other = Options(dir);
  other.identity = "tokenizer=split_hyphens";
  auto mismatched = StateStore::Open(other);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(mismatched.status()));
  EXPECT_THAT(std::string(mismatched.status().message()), HasSubstr("--full"));
  StateOptions none;
  EXPECT_FALSE(StateStore::Open(none).ok());
}

// Run in a child process by the next test (skipped otherwise): opens the state named by
// NIGHTJAR_TEST_STATE_HOLD, says so on stdout and waits to be killed.
TEST(StateLockHelper, HoldTheStateUntilKilled) {
  const char* path = std::getenv("NIGHTJAR_TEST_STATE_HOLD");
  if (path == nullptr) GTEST_SKIP() << "a helper of LockOfAKilledProcessIsTakenOver";
  StateOptions o;
  o.path = path;
  o.identity = "tokenizer=default";
  auto state = StateStore::Open(o);
  std::printf("%s\n", state.ok() ? "held" : "failed");
  std::fflush(stdout);
  ::pause();
}

TEST(StateStoreTest, LockOfAKilledProcessIsTakenOver) {
  TempDir dir;
  const std::string path = dir.Sub("state");
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::setenv("NIGHTJAR_TEST_STATE_HOLD", path.c_str(), 1);
    ::execl("/proc/self/exe", "state_test", "--gtest_filter=StateLockHelper.*", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  // The child is killed on every way out of this test, so that no failure leaves it running.
  struct Reaper {
    pid_t pid;
    int status = 0;
    bool reaped = false;
    void Kill() {
      if (reaped) return;
      ::kill(pid, SIGKILL);  // as kill -9: no destructor, no unlock
      reaped = ::waitpid(pid, &status, 0) == pid;
    }
    ~Reaper() { Kill(); }
  } reaper{pid};
  // gtest prints its own lines first; the helper's verdict is a line of its own.
  std::string line, said;
  char c;
  while (said.empty() && ::read(out[0], &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
    } else if (line == "held" || line == "failed") {
      said = line;
    } else {
      line.clear();
    }
  }
  ::close(out[0]);
  ASSERT_EQ(said, "held");
  auto busy = StateStore::Open(Options(dir));
  ASSERT_FALSE(busy.ok());
  EXPECT_THAT(std::string(busy.status().message()), HasSubstr("pid " + std::to_string(pid)));
  reaper.Kill();
  ASSERT_TRUE(reaper.reaped);
  auto taken = StateStore::Open(Options(dir));
  EXPECT_TRUE(taken.ok()) << taken.status();
}

}  // namespace
}  // namespace nightjar
