#include "corpus/jsonl_source.h"

#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "corpus/file_list.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::string_literals;

struct ReadDoc {
  std::string id;
  std::vector<std::string> fields;
  int64_t modified_at_ms;
  bool deleted;
  bool truncated;
};

struct ReadResult {
  std::vector<ReadDoc> docs;
  std::map<std::string, uint64_t> reasons;
  std::vector<std::string> reject_lines;  // the rejects file, one JSON object per line
  std::vector<std::string> damaged;       // DocumentSource::damaged_files at the end
};

ReadResult ReadAll(const TempDir& dir, const std::string& spec, SourceOptions opts = {}) {
  ReadResult out;
  std::string rejects_path = dir.Sub("rejects/out.jsonl");
  {
    RejectLog log(rejects_path);
    opts.uri = spec;
    auto source = DocumentSource::Open(opts, &log);
    EXPECT_TRUE(source.ok()) << source.status();
    if (!source.ok()) return out;
    for (;;) {
      auto batch = (*source)->Next();
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || *batch == nullptr) break;
      (*batch)->ForEach(
          [&](const Document& d) {
            ReadDoc r{std::string(d.id), {}, d.modified_at_ms, d.deleted, d.truncated};
            for (auto f : d.fields) r.fields.emplace_back(f);
            out.docs.push_back(std::move(r));
          },
          log);
    }
    EXPECT_TRUE(log.Close().ok());
    out.damaged = (*source)->damaged_files();
    for (size_t i = 0; i < kRejectReasonCount; ++i) {
      auto r = static_cast<RejectReason>(i);
      if (log.count(r)) out.reasons[std::string(RejectReasonName(r))] = log.count(r);
    }
  }
  std::ifstream in(rejects_path);
  for (std::string line; std::getline(in, line);) out.reject_lines.push_back(line);
  return out;
}

std::string Gzip(std::string_view data) {
  uLongf cap = compressBound(data.size()) + 64;
  std::string out(cap, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(cap);
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

TEST(JsonlSourceTest, ReadsDocumentsWithConfiguredFields) {
  TempDir dir;
  dir.Write("a.jsonl", R"({"_id":"a","title":"T","body":"B","modified_at":"2024-05-01T00:00:00Z"})"
                       "\n"
                       R"({"id":"b","body":"only body","modified_at":1714521600})"
                       "\n"
                       R"({"id":"c","title":null,"deleted":true,"extra":{"x":[1,2]}})"
                       "\n");
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"));
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].id, "a");
  EXPECT_THAT(r.docs[0].fields, ElementsAre("T", "B"));
  EXPECT_EQ(r.docs[0].modified_at_ms, 1714521600000);
  EXPECT_THAT(r.docs[1].fields, ElementsAre("", "only body"));
  EXPECT_EQ(r.docs[1].modified_at_ms, 1714521600000);
  EXPECT_TRUE(r.docs[2].deleted);
  EXPECT_EQ(r.docs[2].modified_at_ms, Document::kNoTime);
  EXPECT_TRUE(r.reasons.empty());
}

TEST(JsonlSourceTest, CustomFieldNames) {
  TempDir dir;
  dir.Write("a.jsonl", R"({"doc_key":"k","text":"hello","id":"ignored"})"
                       "\n");
  SourceOptions opts;
  opts.schema.id_fields = {"doc_key"};
  opts.schema.text_fields = {"text"};
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"), opts);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].id, "k");
  EXPECT_THAT(r.docs[0].fields, ElementsAre("hello"));
}

// One record per reason; each is counted, quarantined with its line, and none stops the run.
TEST(JsonlSourceTest, EveryRecordRejectReason) {
  TempDir dir;
  std::string data = R"({"id":"ok1","body":"fine"})"
                     "\n"  // 1
                     R"({"id":"x","body":"unterminated)"
                     "\n"  // 2 invalid_json
                     R"(["not","an","object"])"
                     "\n"  // 3 not_object
                     R"({"body":"no id"})"
                     "\n"  // 4 missing_id
                     R"({"id":"","body":"empty id"})"
                     "\n"  // 5 missing_id
                     R"({"id":42,"body":"numeric id"})"
                     "\n"  // 6 id_not_string
                     R"({"id":"x","body":["array"]})"
                     "\n" +                                          // 7 field_not_string
                     "{\"id\":\"x\",\"body\":\"bad \xff byte\"}\n"s  // 8 invalid_utf8
                     "{\"id\":\"x\",\"body\":\"raw \0 nul\"}\n"s +   // 9 nul_byte (raw)
                     R"({"id":"x","body":"escaped \u0000 nul"})"
                     "\n"  // 10 nul_byte (escaped)
                     R"({"id":"x","modified_at":"last tuesday"})"
                     "\n"  // 11 bad_modified_at
                     R"({"id":"x","deleted":"yes"})"
                     "\n"  // 12 bad_deleted
                     R"({"id":"x","x":tru})"
                     "\n"  // 13 invalid_json (unused field)
                     R"({"id":"x"} trailing)"
                     "\n"       // 14 invalid_json
                     "\n   \n"  // 15, 16 blank: skipped
                     R"({"id":"ok2","body":"fine"})"
                     "\n";  // 17
  dir.Write("r.jsonl", std::string_view(data.data(), data.size()));
  ReadResult r = ReadAll(dir, dir.Sub("r.jsonl"));
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].id, "ok1");
  EXPECT_EQ(r.docs[1].id, "ok2");
  std::map<std::string, uint64_t> want = {
      {"invalid_json", 3},  {"not_object", 1},       {"missing_id", 2},
      {"id_not_string", 1}, {"field_not_string", 1}, {"invalid_utf8", 1},
      {"nul_byte", 2},      {"bad_modified_at", 1},  {"bad_deleted", 1}};
  EXPECT_EQ(r.reasons, want);
  ASSERT_EQ(r.reject_lines.size(), 13u);
  EXPECT_THAT(r.reject_lines[0], HasSubstr(R"("line":2,"reason":"invalid_json")"));
  EXPECT_THAT(r.reject_lines[0], HasSubstr(R"("raw":"{\"id\":\"x\",\"body\":\"unterminated")"));
  EXPECT_THAT(r.reject_lines[0], HasSubstr(R"("source":")" + dir.Sub("r.jsonl")));
  EXPECT_THAT(r.reject_lines[6], HasSubstr(R"("line":8,"reason":"invalid_utf8")"));
  EXPECT_THAT(r.reject_lines[6], HasSubstr(R"("raw_base64":")"));  // bytes kept exactly
  EXPECT_THAT(r.reject_lines[12], HasSubstr(R"("line":14,"reason":"invalid_json")"));
}

TEST(JsonlSourceTest, EmptyAndUnreadableFilesAreRejectedNotFatal) {
  TempDir dir;
  dir.Write("a_empty.jsonl", "");
  dir.Write("b_corrupt.jsonl.gz", std::string("\x1f\x8b\x08\x00garbage-not-deflate", 22));
  std::string zst = Zstd(R"({"id":"z","body":"zstd"})"
                         "\n");
  dir.Write("c_truncated.jsonl.zst", zst.substr(0, zst.size() - 4));
  std::filesystem::create_directories(dir.Sub("d_dir.jsonl"));
  dir.Write("e_good.jsonl", R"({"id":"g","body":"good"})"
                            "\n");
  std::string spec = dir.Sub("a_empty.jsonl") + "," + dir.Sub("b_corrupt.jsonl.gz") + "," +
                     dir.Sub("c_truncated.jsonl.zst") + "," + dir.Sub("e_good.jsonl");
  ReadResult r = ReadAll(dir, spec);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].id, "g");
  EXPECT_EQ(r.reasons["empty_file"], 1u);
  EXPECT_EQ(r.reasons["unreadable_file"], 2u);
  EXPECT_EQ(r.reasons.size(), 2u) << ::testing::PrintToString(r.reject_lines);
  EXPECT_THAT(r.reject_lines[0], HasSubstr(R"("line":0,"reason":"empty_file")"));
  // The two files not read to their end are named as damaged; the empty one is not.
  EXPECT_EQ(r.damaged, (std::vector<std::string>{dir.Sub("b_corrupt.jsonl.gz"),
                                                 dir.Sub("c_truncated.jsonl.zst")}));
}

TEST(JsonlSourceTest, AByteOrderMarkIsNotPartOfTheFirstRecord) {
  TempDir dir;
  dir.Write("a.jsonl",
            "\xEF\xBB\xBF"
            R"({"id":"1","body":"x"})"
            "\n"
            R"({"id":"2","body":"\ufeffy"})"
            "\n");
  dir.Write("b.jsonl.zst", Zstd("\xEF\xBB\xBF"
                                R"({"id":"3","body":"z"})"
                                "\n"));
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl") + "," + dir.Sub("b.jsonl.zst"));
  ASSERT_EQ(r.docs.size(), 3u) << ::testing::PrintToString(r.reject_lines);
  EXPECT_EQ(r.docs[0].id, "1");
  EXPECT_EQ(r.docs[2].id, "3");
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_TRUE(r.damaged.empty());
}

TEST(JsonlSourceTest, ReadsGzipZstdAndMultiMemberGzip) {
  TempDir dir;
  dir.Write("a.jsonl.gz", Gzip(R"({"id":"g1","body":"one"})"
                               "\n") +
                              Gzip(R"({"id":"g2","body":"two"})"
                                   "\n"));
  dir.Write("b.jsonl.zst", Zstd(R"({"id":"z1","body":"three"})"
                                "\n"));
  dir.Write("c.data", Zstd(R"({"id":"z2","body":"four"})"));  // by magic, no newline at end
  ReadResult r = ReadAll(dir, dir.Sub("*.jsonl*") + "," + dir.Sub("c.data"));
  std::vector<std::string> ids;
  for (auto& d : r.docs) ids.push_back(d.id);
  EXPECT_THAT(ids, ElementsAre("g1", "g2", "z1", "z2"));
  EXPECT_TRUE(r.reasons.empty());
}

TEST(JsonlSourceTest, LineNumbersSurviveSmallBatches) {
  TempDir dir;
  std::string data;
  for (int i = 1; i <= 500; ++i) {
    data += (i % 97 == 0) ? std::string("{bad json}\n")
                          : R"({"id":")" + std::to_string(i) +
                                R"(","body":"w"})"
                                "\n";
  }
  dir.Write("a.jsonl", data);
  SourceOptions opts;
  opts.batch_bytes = 4096;  // the minimum the config allows; many batches, lines split across reads
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"), opts);
  EXPECT_EQ(r.docs.size(), 495u);
  ASSERT_EQ(r.reject_lines.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_THAT(r.reject_lines[static_cast<size_t>(k)],
                HasSubstr("\"line\":" + std::to_string(97 * (k + 1)) + ","));
  }
}

TEST(JsonlSourceTest, LongLinesAreRejectedAndReadingContinues) {
  TempDir dir;
  std::string big = R"({"id":"big","body":")" + std::string(20000, 'x') + "\"}\n";
  dir.Write("a.jsonl", R"({"id":"1","body":"a"})"
                       "\n" +
                           big +
                           R"({"id":"2","body":"b"})"
                           "\n");
  SourceOptions opts;
  opts.batch_bytes = 4096;
  opts.max_line_bytes = 8192;
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"), opts);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[1].id, "2");
  EXPECT_EQ(r.reasons["line_too_long"], 1u);
  EXPECT_THAT(r.reject_lines[0], HasSubstr(R"("line":2,"reason":"line_too_long")"));
  // A line over the batch size but under the cap is read whole.
  opts.max_line_bytes = 1 << 20;
  r = ReadAll(dir, dir.Sub("a.jsonl"), opts);
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[1].fields[1].size(), 20000u);
}

TEST(JsonlSourceTest, OversizedDocumentsAreTruncatedOnCharacterBoundaries) {
  TempDir dir;
  dir.Write("a.jsonl", R"({"id":"1","title":"abcd","body":"\u00e9\u00e9\u00e9\u00e9"})"
                       "\n");
  SourceOptions opts;
  opts.schema.max_document_bytes = 7;  // title 4 bytes, then 3 bytes: one whole "é" fits
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"), opts);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_TRUE(r.docs[0].truncated);
  EXPECT_EQ(r.docs[0].fields[0], "abcd");
  EXPECT_EQ(r.docs[0].fields[1], "\u00e9");
}

TEST(JsonlSourceTest, CrlfLinesAreAccepted) {
  TempDir dir;
  dir.Write("a.jsonl", "{\"id\":\"1\",\"body\":\"x\"}\r\n{\"id\":\"2\",\"body\":\"y\"}\r\n");
  ReadResult r = ReadAll(dir, dir.Sub("a.jsonl"));
  EXPECT_EQ(r.docs.size(), 2u);
  EXPECT_TRUE(r.reasons.empty());
}

TEST(FileListTest, DirectoriesGlobsAndErrors) {
  TempDir dir;
  dir.Write("d/a.jsonl", "");
  dir.Write("d/sub/b.ndjson.gz", "");
  dir.Write("d/notes.txt", "");
  auto files = ExpandCorpusPaths(dir.Sub("d"));
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre(dir.Sub("d/a.jsonl"), dir.Sub("d/sub/b.ndjson.gz")));
  EXPECT_FALSE(ExpandCorpusPaths(dir.Sub("missing.jsonl")).ok());
  EXPECT_FALSE(ExpandCorpusPaths(dir.Sub("*.nothing")).ok());
  auto st = ExpandCorpusPaths(dir.Sub("missing.jsonl")).status();
  EXPECT_THAT(std::string(st.message()), HasSubstr("missing.jsonl"));
}

TEST(DocumentSourceTest, RejectsUnknownSchemes) {
  RejectLog log;
  SourceOptions opts;
  opts.uri = "ftp://x";
  auto s = DocumentSource::Open(opts, &log);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nightjar
