// Helpers for tests that build versions in a LexiconStore.
#ifndef NIGHTJAR_STORE_STORE_TEST_UTIL_H_
#define NIGHTJAR_STORE_STORE_TEST_UTIL_H_

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "store/lexicon_store.h"
#include "store/manifest.h"

namespace nightjar {

// Makes a fresh, empty store URI for each test; two Open()s of one URI see the same store.
using StoreFactory = std::function<std::string()>;

inline absl::Time Day(int y, int m, int d, int hour = 2) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 0, 0), absl::UTCTimeZone());
}

// A manifest with the checksums the builder reported.
inline Manifest TestManifest(const std::vector<LexiconFileInfo>& files) {
  Manifest m;
  m.lexicons = files;
  return m;
}

// Builds and commits a version holding `words` as spelling records.
inline std::string Commit(LexiconStore& store, absl::Time now,
                          const std::vector<std::string>& words,
                          VersionState state = VersionState::kValidated) {
  auto b = store.Begin(now);
  EXPECT_TRUE(b.ok()) << b.status();
  if (!b.ok()) return "";
  for (const auto& w : words) {
    EXPECT_TRUE((*b)->Append("spelling", w, "{\"word\":\"" + w + "\"}").ok());
  }
  auto files = (*b)->Seal();
  EXPECT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE((*b)->Commit(TestManifest(*files), state,
                           state == VersionState::kRejected ? "canaries: missing x" : "")
                  .ok());
  return (*b)->version();
}

inline absl::StatusOr<AuditEvent> Activate(LexiconStore& store, const std::string& v,
                                           absl::Time now, std::string action = "activate",
                                           bool force = false) {
  ActivateRequest r;
  r.version = v;
  r.action = std::move(action);
  r.actor = "test";
  r.now = now;
  r.force = force;
  return store.Activate(r);
}

inline std::vector<std::string> Names(const std::vector<VersionStatus>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.version);
  return out;
}

inline std::vector<std::string> SortedRecords(LexiconStore& store, const std::string& v,
                                              absl::Status* st) {
  std::vector<std::string> out;
  *st = store.ScanLexicon(v, "spelling", [&](std::string_view r) { out.emplace_back(r); });
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_STORE_TEST_UTIL_H_
