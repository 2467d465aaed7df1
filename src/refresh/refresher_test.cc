#include "refresh/refresher.h"

#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/lexicon_store.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

absl::Time Day(int d) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, d, 2, 0, 0), absl::UTCTimeZone());
}

RefreshOptions MakeConfig(const TempDir& dir, const std::string& corpus) {
  RefreshOptions c;
  c.source.uri = "jsonl:" + corpus;
  c.store_uri = "dir:" + dir.Sub("store");
  c.rejects_dir = dir.Sub("rejects");
  c.count.threads = 2;
  c.lexicons.spelling.min_frequency = 1;
  return c;
}

absl::StatusOr<RefreshReport> RunRefresh(const RefreshOptions& options, const Clock& clock) {
  auto refresher = Refresher::Open(options, &clock, nullptr);
  if (!refresher.ok()) return refresher.status();
  return (*refresher)->Run();
}

// The records of one lexicon of the current version, in store order.
std::vector<std::string> Export(const std::string& store_uri, std::string_view lexicon) {
  std::vector<std::string> lines;
  auto store = LexiconStore::Open(store_uri);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return lines;
  auto version = (*store)->Current();
  EXPECT_TRUE(version.ok() && version->has_value());
  if (!version.ok() || !version->has_value()) return lines;
  absl::Status st =
      (*store)->ScanLexicon(**version, lexicon, [&](std::string_view r) { lines.emplace_back(r); });
  EXPECT_TRUE(st.ok()) << st;
  return lines;
}

std::string ManifestJson(LexiconStore& store, const std::string& version) {
  auto m = store.ReadManifest(version);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? m->ToJson() : "";
}

TEST(RefreshTest, PublishesSpellingAndNgramsAndNamesSameDayRuns) {
  TempDir dir;
  std::string corpus = dir.Write("c.jsonl", R"({"id":"1","body":"Search search SEARCH engine"})"
                                            "\n"
                                            R"({"id":"2","title":"Engine","body":"search"})"
                                            "\n");
  RefreshOptions c = MakeConfig(dir, corpus);
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, clock);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, "v1.20261123");
  EXPECT_THAT(r->ToJson(), HasSubstr(R"("documents":2)"));
  auto spelling = Export(c.store_uri, "spelling");
  ASSERT_EQ(spelling.size(), 2u);
  EXPECT_EQ(
      spelling[0],
      R"({"word":"search","frequency":4,"doc_frequency":2,"variants":[],"version":"v1.20261123"})");
  EXPECT_EQ(
      spelling[1],
      R"({"word":"engine","frequency":2,"doc_frequency":2,"variants":[],"version":"v1.20261123"})");
  auto ngrams = Export(c.store_uri, "ngrams");
  EXPECT_FALSE(ngrams.empty());
  EXPECT_THAT(ngrams[0], HasSubstr(R"("n":1)"));

  auto again = RunRefresh(c, clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, "v1.20261123.2");
}

// Every published lexicon, records without their version stamps.
std::vector<std::string> AllLexicons(const std::string& store) {
  std::vector<std::string> out;
  for (const char* lexicon : {"spelling", "related", "expansions", "ngrams"}) {
    for (std::string line : Export(store, lexicon)) {
      for (const char* field : {R"("version":")", R"("last_updated":")"}) {
        const size_t at = line.find(field);
        if (at == std::string::npos) continue;
        const size_t end = line.find('"', at + std::string(field).size());
        line.erase(at, end + 1 - at);
      }
      out.push_back(std::string(lexicon) + " " + line);
    }
  }
  return out;
}

TEST(RefreshTest, SameLexiconsWhicheverTextTheMiningPassesRead) {
  // Enough text for phrases, acronyms, variants and related terms to appear.
  TempDir dir;
  const std::vector<std::string> sentences = {
      "Machine learning (ML) models need training data and careful evaluation.",
      "We used machine learning to rank search results for each query.",
      "The search engine returns results quickly; the query log grows daily.",
      "Natural language processing (NLP) helps the search engine understand a query.",
      "Training data for natural language processing comes from the query log.",
      "Careful evaluation of search results needs relevance judgments.",
      "The serch engine returns results quickly.",
      "New York and San Francisco host many machine learning teams.",
  };
  std::string corpus;
  for (int i = 0; i < 6000; ++i) {
    corpus += R"({"id":"d)" + std::to_string(i) + R"(","title":"Doc )" + std::to_string(i % 7) +
              R"(","body":")" + sentences[static_cast<size_t>(i) % sentences.size()] + " " +
              sentences[static_cast<size_t>(i * 5 + 3) % sentences.size()] + "\"}\n";
  }
  const std::string path = dir.Write("c.jsonl", corpus);
  FakeClock clock(Day(23));
  std::vector<std::string> first;
  // The first pass's text (default budget), the second's (the first's does not fit in 1 MiB
  // over three threads: it overflows, and the second pass reads the corpus), none at all.
  for (int64_t cache_mb : {int64_t{512}, int64_t{1}, int64_t{0}}) {
    for (int threads : {1, 3}) {
      RefreshOptions c = MakeConfig(dir, path);
      c.store_uri =
          "dir:" + dir.Sub("store-" + std::to_string(cache_mb) + "-" + std::to_string(threads));
      c.count.threads = threads;
      c.lexicons.pass_cache_mb = cache_mb;
      auto r = RunRefresh(c, clock);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_THAT(r->ToJson(), HasSubstr(cache_mb == 512 ? R"("second_pass":"cache")"
                                                         : R"("second_pass":"corpus")"));
      const std::vector<std::string> lexicons = AllLexicons(c.store_uri);
      if (first.empty()) {
        first = lexicons;
        EXPECT_GT(first.size(), 50u);
        // Abbreviations (counted by the first pass), phrases and related terms are all there.
        auto has = [&](const std::string& text) {
          return std::any_of(first.begin(), first.end(), [&](const std::string& line) {
            return line.find(text) != std::string::npos;
          });
        };
        EXPECT_TRUE(has(R"("term":"machine learning","expansions":[{"term":"ML")"));
        EXPECT_TRUE(has(R"(related {"word":"machine learning")"));
        continue;
      }
      EXPECT_EQ(lexicons, first) << cache_mb << " MiB, " << threads << " threads";
    }
  }
}

TEST(RefreshTest, TooManyRejectsPublishesNothingAndKeepsCurrent) {
  TempDir dir;
  std::string good = dir.Write("good.jsonl", R"({"id":"1","body":"alpha beta"})"
                                             "\n");
  RefreshOptions c = MakeConfig(dir, good);
  FakeClock clock(Day(23));
  ASSERT_TRUE(RunRefresh(c, clock).ok());

  std::string bad = dir.Write("bad.jsonl", R"({"id":"1","body":"gamma"})"
                                           "\n"
                                           "{oops\n"
                                           R"({"body":"no id"})"
                                           "\n");
  c.source.uri = "jsonl:" + bad;
  clock.Set(Day(24));
  auto r = RunRefresh(c, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("2 of 3 records rejected"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("invalid_json 1, missing_id 1"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nothing published"));

  auto store = LexiconStore::Open(c.store_uri);
  EXPECT_EQ(**(*store)->Current(), "v1.20261123");
  EXPECT_EQ((*store)->List()->size(), 1u);
  // The rejects were quarantined all the same.
  int lines = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("rejects"))) {
    std::ifstream in(e.path());
    for (std::string l; std::getline(in, l);) ++lines;
  }
  EXPECT_EQ(lines, 2);

  // Raising the threshold lets the same corpus through (it shares no top words with the active
  // version, so that gate is off here; GatesRejectAVersion covers it).
  c.max_reject_share = 0.7;
  c.validation.top_overlap = false;
  auto ok = RunRefresh(c, clock);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->version, "v1.20261124");
}

TEST(RefreshTest, GatesRejectAVersionAndForceOverridesThem) {
  TempDir dir;
  std::string first = dir.Write("a.jsonl", R"({"id":"1","body":"alpha beta gamma"})"
                                           "\n");
  RefreshOptions c = MakeConfig(dir, first);
  FakeClock clock(Day(23));
  ASSERT_TRUE(RunRefresh(c, clock).ok());

  // A missing canary word rejects the version; the error names the gate.
  c.validation.canary_words = {"zebra"};
  clock.Set(Day(24));
  auto r = RunRefresh(c, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("gate canaries"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("zebra"));
  auto store = LexiconStore::Open(c.store_uri);
  EXPECT_EQ(**(*store)->Current(), "v1.20261123");
  auto list = *(*store)->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].state, VersionState::kRejected);
  EXPECT_THAT(list[1].note, HasSubstr("canaries"));
  EXPECT_THAT(ManifestJson(**store, "v1.20261124"), HasSubstr("\"passed\":false"));

  // A corpus that shares no top words with the active version fails the overlap gate.
  c.validation.canary_words = {};
  c.source.uri = "jsonl:" + dir.Write("b.jsonl", R"({"id":"1","body":"delta epsilon"})"
                                                 "\n");
  r = RunRefresh(c, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("gate top_overlap"));

  // --force activates it anyway and says so in the manifest and status.
  c.force = true;
  auto forced = RunRefresh(c, clock);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(**(*store)->Current(), forced->version);
  EXPECT_THAT(ManifestJson(**store, forced->version), HasSubstr("\"forced\":true"));
  EXPECT_EQ((*store)->List()->back().state, VersionState::kActive);
  EXPECT_THAT((*store)->List()->back().note, HasSubstr("forced: top_overlap"));
}

TEST(RefreshTest, RetentionPrunesOldVersionsAfterActivation) {
  TempDir dir;
  RefreshOptions c = MakeConfig(dir, dir.Write("a.jsonl", R"({"id":"1","body":"alpha beta"})"
                                                          "\n"));
  FakeClock clock(Day(1));
  for (int d = 1; d <= 10; ++d) {
    clock.Set(Day(d));
    ASSERT_TRUE(RunRefresh(c, clock).ok());
  }
  // Day 10's run keeps the versions of the last 7 days (created on or after Nov 3, 02:00).
  auto store = LexiconStore::Open(c.store_uri);
  auto list = *(*store)->List();
  ASSERT_EQ(list.size(), 8u);
  EXPECT_EQ(list.front().version, "v1.20261103");
  EXPECT_EQ(list.back().version, "v1.20261110");
}

TEST(RefreshTest, EmptyCorpusPublishesNothing) {
  TempDir dir;
  std::string only_deleted = dir.Write("d.jsonl", R"({"id":"1","deleted":true})"
                                                  "\n");
  RefreshOptions c = MakeConfig(dir, only_deleted);
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, clock);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("store/CURRENT")));
}

TEST(RefreshTest, BadUrisFailBeforeReading) {
  TempDir dir;
  RefreshOptions c = MakeConfig(dir, dir.Sub("missing.jsonl"));
  FakeClock clock(Day(23));
  EXPECT_EQ(RunRefresh(c, clock).status().code(), absl::StatusCode::kInvalidArgument);
  c.store_uri = "nosuch://x";
  EXPECT_EQ(RunRefresh(c, clock).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RefreshTest, ASmallCorpusPublishesEmptyLexiconsThatReadersLoad) {
  TempDir dir;
  RefreshOptions c = MakeConfig(dir, dir.Write("a.jsonl", R"({"id":"1","body":"alpha beta"})"
                                                          "\n"));
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, clock);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, VersionState::kActive);
  // No expansions, phrases or acronyms: still published, empty, and readable.
  for (std::string_view lexicon : kAllLexicons) {
    EXPECT_THAT(r->ToJson(), HasSubstr("\"" + std::string(lexicon) + "\":")) << lexicon;
  }
  EXPECT_TRUE(Export(c.store_uri, "expansions").empty());
  EXPECT_TRUE(Export(c.store_uri, "phrases").empty());
  EXPECT_EQ(Export(c.store_uri, "spelling").size(), 2u);
}

// A good file beside a .zst cut off after its first 20 kB: the documents past the cut are lost.
std::string DamagedCorpus(const TempDir& dir) {
  std::string good, big;
  for (int i = 0; i < 500; ++i) {
    good += R"({"id":"g)" + std::to_string(i) +
            R"(","body":"alpha beta gamma"})"
            "\n";
  }
  uint64_t x = 88172645463325252ull;  // xorshift: words that do not compress away
  for (int i = 0; i < 2000; ++i) {
    big += R"({"id":"z)" + std::to_string(i) + R"(","body":")";
    for (int w = 0; w < 8; ++w) {
      for (int k = 0; k < 6; ++k) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        big += static_cast<char>('a' + x % 26);
      }
      big += ' ';
    }
    big += "\"}\n";
  }
  std::string zst(ZSTD_compressBound(big.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), big.data(), big.size(), 1));
  EXPECT_GT(zst.size(), 20000u);
  dir.Write("corpus/a.jsonl", good);
  dir.Write("corpus/b.jsonl.zst", zst.substr(0, 20000));
  return dir.Sub("corpus");
}

TEST(RefreshTest, ADamagedInputFileFailsTheRunUnlessSkipped) {
  TempDir dir;
  RefreshOptions c = MakeConfig(dir, DamagedCorpus(dir));
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("b.jsonl.zst"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nothing published"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("store/CURRENT")));

  c.on_damaged_file = DamagedFilePolicy::kSkip;
  auto skipped = RunRefresh(c, clock);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  ASSERT_EQ(skipped->rejects.damaged_files.size(), 1u);
  EXPECT_THAT(skipped->rejects.damaged_files[0], HasSubstr("b.jsonl.zst"));
  auto store = LexiconStore::Open(c.store_uri);
  EXPECT_THAT(ManifestJson(**store, skipped->version), HasSubstr(R"("damaged_files":[")"));
}

TEST(RefreshTest, ObserverSeesEveryStageInOrder) {
  struct Recorder : RefreshObserver {
    std::vector<std::string> events;
    bool sampled = false;
    void StageBegun(std::string_view s) override { events.push_back("+" + std::string(s)); }
    void StageEnded(std::string_view s, double) override { events.push_back("-" + std::string(s)); }
    void Counting(std::function<ProgressSample()> sample) override {
      if (sample) sampled = sample().input_total > 0;
    }
  } recorder;
  TempDir dir;
  RefreshOptions c = MakeConfig(dir, dir.Write("a.jsonl", R"({"id":"1","body":"alpha beta"})"
                                                          "\n"));
  FakeClock clock(Day(23));
  auto refresher = Refresher::Open(c, &clock, &recorder);
  ASSERT_TRUE(refresher.ok()) << refresher.status();
  auto r = (*refresher)->Run();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"+count", "-count", "+gates", "-gates",
                                                       "+mine", "-mine", "+publish", "-publish"}));
  EXPECT_TRUE(recorder.sampled);
  EXPECT_GT(r->Seconds("count"), 0);
  EXPECT_GT(r->Seconds("publish"), 0);
}

}  // namespace
}  // namespace nightjar
