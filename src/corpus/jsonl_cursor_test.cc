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

// Reads the source to its end, taking cursors after each batch; checks that a file's cursor
// comes only once all its documents have been handed out.
Read ReadWithCursors(const std::string& uri, std::map<std::string, int> totals,
                     std::function<bool(const SourceCursor&)> skip, bool verify = false) {
  Read out;
  RejectLog log("");
  SourceOptions o;
  o.uri = uri;
  o.batch_bytes = 256;  // many batches a file
  o.skip = std::move(skip);
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
      EXPECT_EQ(out.docs_by_file_prefix[prefix], totals[prefix]) << c.key << " came early";
      out.cursors.push_back(std::move(c));
    }
  }
  EXPECT_TRUE((*source)->TakeFinishedCursors().empty());
  out.skipped = (*source)->skipped_inputs();
  return out;
}

TEST(JsonlCursorTest, CursorsComeAfterTheirFilesAndSkipUnchangedFiles) {
  TempDir dir;
  dir.Write("a.jsonl", Lines("a", 40));
  dir.Write("b.jsonl", Lines("b", 30));
  const std::string uri = "jsonl:" + dir.path();
  const std::map<std::string, int> totals = {{"a", 40}, {"b", 30}};

  Read first = ReadWithCursors(uri, totals, [](const SourceCursor&) { return false; });
  ASSERT_EQ(first.cursors.size(), 2u);
  EXPECT_EQ(first.cursors[0].key, "jsonl:" + dir.Sub("a.jsonl"));
  EXPECT_EQ(first.docs_by_file_prefix.at("a"), 40);

  // A later run skips the files whose cursors it holds.
  const SourceCursor a = first.cursors[0];
  Read second = ReadWithCursors(uri, totals, [&](const SourceCursor& c) { return c == a; });
  EXPECT_EQ(second.skipped, 1u);
  EXPECT_EQ(second.docs_by_file_prefix.count("a"), 0u);
  EXPECT_EQ(second.docs_by_file_prefix.at("b"), 30);

  // A changed file has another cursor and is read again.
  dir.Write("a.jsonl", Lines("a", 41));
  auto changed = JsonlSource::FileCursor(dir.Sub("a.jsonl"));
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->value, a.value);
  Read third =
      ReadWithCursors(uri, {{"a", 41}, {"b", 30}}, [&](const SourceCursor& c) { return c == a; });
  EXPECT_EQ(third.skipped, 0u);
  EXPECT_EQ(third.docs_by_file_prefix.at("a"), 41);
}

TEST(JsonlCursorTest, AFileWithItsSizeAndMtimeIsSkippedWithoutReadingIt) {
  TempDir dir;
  dir.Write("a.jsonl", Lines("a", 40));
  const std::string uri = "jsonl:" + dir.path();
  // Just written: its cursor is racy, and only a checksum can skip it.
  const auto path = dir.Sub("a.jsonl");
  EXPECT_THAT(JsonlSource::FileCursor(path)->value, HasSubstr(" racy xxh3:"));
  EXPECT_FALSE(
      CursorMatches(*JsonlSource::FileCursor(path, true), JsonlSource::FileCursor(path)->value));
  // Settled (written an hour ago):
  const auto mtime = std::filesystem::last_write_time(path) - std::chrono::hours(1);
  std::filesystem::last_write_time(path, mtime);
  Read first = ReadWithCursors(uri, {{"a", 40}}, [](const SourceCursor&) { return false; });
  ASSERT_EQ(first.cursors.size(), 1u);
  const std::string held = first.cursors[0].value;
  std::vector<SourceCursor> offered;
  auto skip = [&](const SourceCursor& c) {
    offered.push_back(c);
    return CursorMatches(c, held);
  };
  Read second = ReadWithCursors(uri, {{"a", 40}}, skip);
  EXPECT_EQ(second.skipped, 1u);
  ASSERT_EQ(offered.size(), 1u);  // the quick cursor was enough
  EXPECT_TRUE(offered[0].quick);
  EXPECT_TRUE(held.starts_with(offered[0].value)) << held;
  EXPECT_THAT(held, Not(HasSubstr("racy")));

  // Touched: another mtime, so another cursor; read again.
  std::filesystem::last_write_time(path, mtime + std::chrono::seconds(5));
  EXPECT_EQ(ReadWithCursors(uri, {{"a", 40}}, skip).skipped, 0u);
  EXPECT_FALSE(offered.back().quick);  // asked with the checksum too

  // Rewritten with the same size and its mtime put back: the quick check cannot tell;
  // verify_skipped reads it and finds the change.
  std::string changed = Lines("a", 40);
  changed[changed.find("some")] = 'S';
  dir.Write("a.jsonl", changed);
  std::filesystem::last_write_time(path, mtime);
  EXPECT_EQ(ReadWithCursors(uri, {{"a", 40}}, skip).skipped, 1u);
  Read verified = ReadWithCursors(uri, {{"a", 40}}, skip, /*verify=*/true);
  EXPECT_EQ(verified.skipped, 0u);
  EXPECT_EQ(verified.docs_by_file_prefix.at("a"), 40);
  EXPECT_FALSE(offered.back().quick);
}

TEST(JsonlCursorTest, ADamagedFileGetsNoCursorAndIsReadAgainNextTime) {
  TempDir dir;
  const std::string data = Lines("c", 2000);
  std::string z(ZSTD_compressBound(data.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), data.data(), data.size(), 3));
  dir.Write("c.jsonl.zst", z.substr(0, z.size() / 2));  // cut off
  dir.Write("d.jsonl", Lines("d", 5));
  Read r =
      ReadWithCursors("jsonl:" + dir.path(), {{"d", 5}}, [](const SourceCursor&) { return false; });
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
