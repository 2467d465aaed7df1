#include "cli/refresh.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/export.h"
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

Config MakeConfig(const TempDir& dir, const std::string& corpus) {
  Config c;
  c.source.uri = "jsonl:" + corpus;
  c.store_uri = "dir:" + dir.Sub("store");
  c.rejects_dir = dir.Sub("rejects");
  c.count.threads = 2;
  c.lexicons.spelling.min_frequency = 1;
  return c;
}

std::vector<std::string> Export(const std::string& store, const std::string& lexicon) {
  std::vector<std::string> lines;
  std::FILE* f = std::tmpfile();
  absl::Status st = RunExport(ExportFlags{store, "", lexicon, "jsonl"}, f);
  EXPECT_TRUE(st.ok()) << st;
  std::rewind(f);
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), f)) {
    std::string l(buf);
    if (!l.empty() && l.back() == '\n') l.pop_back();
    lines.push_back(l);
  }
  std::fclose(f);
  return lines;
}

TEST(RefreshTest, PublishesSpellingAndNgramsAndNamesSameDayRuns) {
  TempDir dir;
  std::string corpus = dir.Write("c.jsonl", R"({"id":"1","body":"Search search SEARCH engine"})"
                                            "\n"
                                            R"({"id":"2","title":"Engine","body":"search"})"
                                            "\n");
  Config c = MakeConfig(dir, corpus);
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, RefreshFlags{true}, clock);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, "v1.20261123");
  EXPECT_THAT(r->summary_json, HasSubstr(R"("documents":2)"));
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

  auto again = RunRefresh(c, RefreshFlags{true}, clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, "v1.20261123.2");
}

TEST(RefreshTest, TooManyRejectsPublishesNothingAndKeepsCurrent) {
  TempDir dir;
  std::string good = dir.Write("good.jsonl", R"({"id":"1","body":"alpha beta"})"
                                             "\n");
  Config c = MakeConfig(dir, good);
  FakeClock clock(Day(23));
  ASSERT_TRUE(RunRefresh(c, RefreshFlags{true}, clock).ok());

  std::string bad = dir.Write("bad.jsonl", R"({"id":"1","body":"gamma"})"
                                           "\n"
                                           "{oops\n"
                                           R"({"body":"no id"})"
                                           "\n");
  c.source.uri = "jsonl:" + bad;
  clock.Set(Day(24));
  auto r = RunRefresh(c, RefreshFlags{true}, clock);
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

  // Raising the threshold lets the same corpus through.
  c.max_reject_share = 0.7;
  auto ok = RunRefresh(c, RefreshFlags{true}, clock);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->version, "v1.20261124");
}

TEST(RefreshTest, EmptyCorpusPublishesNothing) {
  TempDir dir;
  std::string only_deleted = dir.Write("d.jsonl", R"({"id":"1","deleted":true})"
                                                  "\n");
  Config c = MakeConfig(dir, only_deleted);
  FakeClock clock(Day(23));
  auto r = RunRefresh(c, RefreshFlags{true}, clock);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("store/CURRENT")));
}

TEST(RefreshTest, BadUrisFailBeforeReading) {
  TempDir dir;
  Config c = MakeConfig(dir, dir.Sub("missing.jsonl"));
  FakeClock clock(Day(23));
  EXPECT_EQ(RunRefresh(c, RefreshFlags{true}, clock).status().code(),
            absl::StatusCode::kInvalidArgument);
  c.store_uri = "nosuch://x";
  EXPECT_EQ(RunRefresh(c, RefreshFlags{true}, clock).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nightjar
