// File cursors of the JSONL source: what lets a stateful refresh skip files an earlier run read.
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "corpus/document_source.h"
#include "corpus/jsonl_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Lines(const std::string& prefix, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += R"({"id":")" + prefix + std::to_string(i) +
         R"(","body":"some words to read"})"
         "\n";
  }
  return s;
}

struct Read {
  std::map<std::string, int> docs_by_file_prefix;
  std::vector<SourceCursor> cursors;
  uint64_t skipped = 0;
};

using Held = std::map<std::string, std::string>;  // cursor key -> stored value

// Reads the source to its end with the cursors `held` stored (null: keeping none), taking
// cursors after each batch; checks that a file's cursor comes only once all its documents have
// been handed out.
Read ReadWithCursors(const std::string& uri, std::map<std::string, int> totals, const Held* held,
                     bool verify = false) {
  Read out;
  RejectLog log("");
  SourceOptions o;
  o.uri = uri;
  o.batch_bytes = 256;  // many batches a file
  if (held != nullptr) {
    o.resume = [held](const std::string& key) -> std::optional<std::string> {
      auto it = held->find(key);
      if (it == held->end()) return std::nullopt;
      return it->second;
    };
  }
  o.verify_skipped = verify;
  auto source = DocumentSource::Open(o, &log);
  EXPECT_TRUE(source.ok()) << source.status();
  if (!source.ok()) return out;
  for (;;) {
    auto batch = (*source)->Next();
    EXPECT_TRUE(batch.ok());
    if (!batch.ok() || *batch == nullptr) break;
    (*batch)->ForEach(
        [&](const Document& d) { ++out.docs_by_file_prefix[std::string(d.id.substr(0, 1))]; }, log);
    for (SourceCursor& c : (*source)->TakeFinishedCursors()) {
      const std::string prefix = c.key.substr(c.key.rfind('/') + 1, 1);
      if (out.docs_by_file_prefix.contains(prefix)) {  // read, not skipped
        EXPECT_EQ(out.docs_by_file_prefix[prefix], totals[prefix]) << c.key << " came early";
      }
      out.cursors.push_back(std::move(c));
    }
  }
  // Cursors of files skipped after the last batch (refreshed ones) come at the end.
  for (SourceCursor& c : (*source)->TakeFinishedCursors()) {
    const std::string prefix = c.key.substr(c.key.rfind('/') + 1, 1);
    EXPECT_EQ(out.docs_by_file_prefix.count(prefix), 0u) << c.key << " was read, not skipped";
    out.cursors.push_back(std::move(c));
  }
  out.skipped = (*source)->skipped_inputs();
  return out;
}

// Held cursors as a run would store them: every cursor read.
Held Store(const Read& r) {
  Held out;
  for (const SourceCursor& c : r.cursors) out[c.key] = c.value;
  return out;
}

// Sets the file's mtime `age` into the past.
void Age(const std::string& path, std::chrono::seconds age) {
  std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) - age);
}

TEST(JsonlCursorTest, CursorsComeAfterTheirFilesAndSkipUnchangedFiles) {
  TempDir dir;
  dir.Write("a.jsonl", Lines("a", 40));
  dir.Write("b.jsonl", Lines("b", 30));
  const std::string uri = "jsonl:" + dir.path();
  const std::map<std::string, int> totals = {{"a", 40}, {"b", 30}};

  const Held none;
  Read first = ReadWithCursors(uri, totals, &none);
  ASSERT_EQ(first.cursors.size(), 2u);
  EXPECT_EQ(first.cursors[0].key, "jsonl:" + dir.Sub("a.jsonl"));
  EXPECT_EQ(first.docs_by_file_prefix.at("a"), 40);

  // A later run skips the files whose cursors it holds (just written, they are racy: the
  // checksum decides).
  const Held only_a = {{first.cursors[0].key, first.cursors[0].value}};
  Read second = ReadWithCursors(uri, totals, &only_a);
  EXPECT_EQ(second.skipped, 1u);
  EXPECT_EQ(second.docs_by_file_prefix.count("a"), 0u);
  EXPECT_EQ(second.docs_by_file_prefix.at("b"), 30);

  // A changed file has another cursor and is read again.
  dir.Write("a.jsonl", Lines("a", 41));
  auto changed = JsonlSource::FileCursor(dir.Sub("a.jsonl"));
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(JsonlSource::SameContents(changed->value, only_a.begin()->second));
  Read third = ReadWithCursors(uri, {{"a", 41}, {"b", 30}}, &only_a);
  EXPECT_EQ(third.skipped, 0u);
  EXPECT_EQ(third.docs_by_file_prefix.at("a"), 41);
}

TEST(JsonlCursorTest, ASettledFileIsSkippedByAStatAndATouchedOneByItsChecksum) {
  TempDir dir;
  dir.Write("a.jsonl", Lines("a", 40));
  const std::string uri = "jsonl:" + dir.path();
  const std::string path = dir.Sub("a.jsonl");
  // Just written: racy, so a stat cannot settle it.
  const Held none;
  const Held racy = Store(ReadWithCursors(uri, {{"a", 40}}, &none));
  EXPECT_THAT(racy.begin()->second, HasSubstr(" racy xxh3:"));
  EXPECT_FALSE(JsonlSource::UnchangedByStat(path, racy.begin()->second, false));
  // Skipped by its checksum, and its settled cursor replaces the racy one.
  Age(path, std::chrono::hours(1));
  Read again = ReadWithCursors(uri, {{"a", 40}}, &racy);
  EXPECT_EQ(again.skipped, 1u);
  ASSERT_EQ(again.cursors.size(), 1u);
  const Held settled = Store(again);
  EXPECT_THAT(settled.begin()->second, Not(HasSubstr("racy")));
  // Settled: a stat is enough.
  EXPECT_TRUE(JsonlSource::UnchangedByStat(path, settled.begin()->second, false));
  Read stat_only = ReadWithCursors(uri, {{"a", 40}}, &settled);
  EXPECT_EQ(stat_only.skipped, 1u);
  EXPECT_TRUE(stat_only.cursors.empty());  // nothing to replace
  // Touched: another mtime, the same bytes: skipped by the checksum, the cursor refreshed.
  Age(path, std::chrono::minutes(-5));
  EXPECT_FALSE(JsonlSource::UnchangedByStat(path, settled.begin()->second, false));
  Read touched = ReadWithCursors(uri, {{"a", 40}}, &settled);
  EXPECT_EQ(touched.skipped, 1u);
  ASSERT_EQ(touched.cursors.size(), 1u);
  EXPECT_NE(touched.cursors[0].value, settled.begin()->second);
  // Rewritten with the same size and its mtime put back: a stat cannot tell; verify_skipped
  // checksums it and reads it again.
  const Held refreshed = Store(touched);
  const auto mtime = std::filesystem::last_write_time(path);
  std::string changed = Lines("a", 40);
  changed[changed.find("some")] = 'S';
  dir.Write("a.jsonl", changed);
  std::filesystem::last_write_time(path, mtime);
  EXPECT_EQ(ReadWithCursors(uri, {{"a", 40}}, &refreshed).skipped, 1u);
  Read verified = ReadWithCursors(uri, {{"a", 40}}, &refreshed, /*verify=*/true);
  EXPECT_EQ(verified.skipped, 0u);
  EXPECT_EQ(verified.docs_by_file_prefix.at("a"), 40);
}

TEST(JsonlCursorTest, ADamagedFileGetsNoCursorAndIsReadAgainNextTime) {
  TempDir dir;
  const std::string data = Lines("c", 2000);
  std::string z(ZSTD_compressBound(data.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), data.data(), data.size(), 3));
  dir.Write("c.jsonl.zst", z.substr(0, z.size() / 2));  // cut off
  dir.Write("d.jsonl", Lines("d", 5));
  const Held none;
  Read r = ReadWithCursors("jsonl:" + dir.path(), {{"d", 5}}, &none);
  ASSERT_EQ(r.cursors.size(), 1u);
  EXPECT_EQ(r.cursors[0].key, "jsonl:" + dir.Sub("d.jsonl"));
}

TEST(JsonlCursorTest, WithoutASkipCallbackNoCursorsAreKept) {
  TempDir dir;
  dir.Write("a.jsonl", Lines("a", 3));
  Read r = ReadWithCursors("jsonl:" + dir.path(), {{"a", 3}}, nullptr);
  EXPECT_TRUE(r.cursors.empty());
  EXPECT_EQ(r.docs_by_file_prefix.at("a"), 3);
}

}  // namespace
}  // namespace nightjar
