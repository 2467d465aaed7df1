#ifndef NIGHTJAR_REFRESH_SHARD_TESTLIB_H_
#define NIGHTJAR_REFRESH_SHARD_TESTLIB_H_

// Test helpers for sharded refreshes (src/refresh/shard_rounds_test.cc, tests/s3_parts_test.cc):
// a small corpus of many files, a refresh on a fake clock, the published lexicons without
// version stamps, and every round of a sharded run.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "refresh/refresher.h"
#include "refresh/shard_rounds.h"
#include "store/lexicon_store.h"
#include "util/clock.h"
#include "util/file_util.h"
#include "util/temp_dir.h"

namespace nightjar::shard_testing {

inline const absl::Time kStart = absl::FromUnixSeconds(1796000000);

// A corpus of 16 files, enough text for every lexicon to have records.
inline std::string WriteCorpus(const TempDir& dir, const std::string& extra = "") {
  const std::vector<std::string> sentences = {
      "Machine learning (ML) models need training data and careful evaluation.",
      "We used machine learning to rank search results for each query.",
      "The search engine returns results quickly; the query log grows daily.",
      "Natural language processing (NLP) helps the search engine understand a query.",
      "Training data for natural language processing comes from the query log.",
      "The serch engine returns results quickly.",
      "New York and San Francisco host many machine learning teams.",
  };
  EXPECT_TRUE(MakeDirs(dir.Sub("corpus")).ok());
  for (int f = 0; f < 16; ++f) {
    std::string text;
    for (int i = 0; i < 150; ++i) {
      const int d = f * 150 + i;
      text += R"({"id":"d)" + std::to_string(d) + R"(","body":")" +
              sentences[static_cast<size_t>(d) % sentences.size()] + " " +
              sentences[static_cast<size_t>(d * 3 + 1) % sentences.size()] + "\"}\n";
    }
    if (f == 5) text += extra;
    EXPECT_TRUE(WriteFileAtomic(dir.Sub("corpus/f" + std::to_string(f) + ".jsonl"), text).ok());
  }
  return "jsonl:" + dir.Sub("corpus");
}

inline RefreshOptions Options(const TempDir& dir, const std::string& corpus,
                              const std::string& store) {
  RefreshOptions o;
  o.source.uri = corpus;
  o.store_uri = "dir:" + dir.Sub(store);
  o.rejects_dir = dir.Sub("rejects");
  o.count.threads = 2;
  o.lexicons.spelling.min_frequency = 1;
  return o;
}

inline absl::StatusOr<RefreshReport> Refresh(const RefreshOptions& o) {
  FakeClock clock(kStart);
  auto r = Refresher::Open(o, &clock, nullptr);
  if (!r.ok()) return r.status();
  return (*r)->Run();
}

// Every record of every lexicon of the store's current version, without version and time.
inline std::vector<std::string> PublishedLexicons(const std::string& store_uri) {
  std::vector<std::string> out;
  auto store = LexiconStore::Open(store_uri);
  EXPECT_TRUE(store.ok());
  auto version = (*store)->Current();
  EXPECT_TRUE(version.ok() && version->has_value());
  for (std::string_view lexicon : kAllLexicons) {
    absl::Status st = (*store)->ScanLexicon(**version, lexicon, [&](std::string_view r) {
      std::string line(r);
      for (const std::string field : {R"("version":")", R"("last_updated":")"}) {
        const size_t at = line.find(field);
        if (at != std::string::npos) line.erase(at, line.find('"', at + field.size()) + 1 - at);
      }
      out.push_back(std::string(lexicon) + " " + line);
    });
    EXPECT_TRUE(st.ok()) << st;
  }
  return out;
}

// Runs the shard rounds of every shard of `count` (each keeping its state when o.state.path is
// set), then the publish round into `store`; the parts go to `parts` (default: dir:DIR/parts).
// *reports, when given, receives every shard round's report.
inline absl::StatusOr<RefreshReport> ShardedRefresh(RefreshOptions o, uint32_t count,
                                                    const std::string& run,
                                                    const std::string& parts = "",
                                                    std::vector<RoundReport>* reports = nullptr) {
  o.shard.parts = parts.empty() ? "dir:" + o.rejects_dir + "/../parts" : parts;
  o.shard.run = run;
  o.shard.count = count;
  for (const char* round : {"count", "phrases", "context"}) {
    for (uint32_t i = 0; i < count; ++i) {
      o.shard.round = round;
      o.shard.index = i;
      auto done = RunShardRound(o, kStart);
      if (!done.ok()) return done.status();
      if (reports != nullptr) reports->push_back(*std::move(done));
    }
  }
  o.shard.round = "publish";
  o.shard.index = 0;
  o.state.path.clear();  // the publish round keeps no state
  return Refresh(o);
}

}  // namespace nightjar::shard_testing

#endif  // NIGHTJAR_REFRESH_SHARD_TESTLIB_H_
