#ifndef NIGHTJAR_CORPUS_JSONL_SOURCE_H_
#define NIGHTJAR_CORPUS_JSONL_SOURCE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "corpus/buffer_pool.h"
#include "corpus/byte_reader.h"
#include "corpus/document_source.h"

namespace nightjar {

class JsonlParserPool;

// Reads JSONL files (plain, .gz, .zst) in order and cuts them into line-aligned batches; the
// threads that take the batches parse them. Thread-safe.
class JsonlSource : public DocumentSource {
 public:
  // `files` as produced by ExpandCorpusPaths. `rejects` must outlive the source.
  JsonlSource(std::vector<std::string> files, const SourceOptions& options, RejectSink* rejects);
  ~JsonlSource() override;

  absl::StatusOr<std::unique_ptr<DocumentBatch>> Next() override;
  SourceProgress progress() const override;
  std::vector<std::string> damaged_files() const override;
  std::vector<SourceCursor> TakeFinishedCursors() override;
  uint64_t skipped_inputs() const override;

  // The cursor of the file at `path` as it is now: "size=N mtime=NS xxh3:HEX" (the checksum
  // of all its bytes, read once more), with "racy" before the checksum for a file modified in
  // the last 2 seconds. NotFound / Unavailable when it cannot be read.
  [[nodiscard]] static absl::StatusOr<SourceCursor> FileCursor(const std::string& path);
  // Whether a stat shows the file at `path` still is what the cursor `held` recorded: `held`
  // settled, `verify` off, the same size and mtime. False says only that a stat cannot tell;
  // the checksum then decides (FileCursor, then SameContents).
  static bool UnchangedByStat(const std::string& path, std::string_view held, bool verify);
  // Whether two cursors of one file name the same bytes: the same size and checksum.
  static bool SameContents(std::string_view a, std::string_view b);

 private:
  // Opens the next file into reader_; false when none is left. Requires mu_.
  bool OpenNextFile();
  // With SourceOptions::resume: whether the file at `path` is unchanged since its stored
  // cursor, and so skipped (counted, and its cursor refreshed when it was only touched); else
  // sets current_cursor_ for the read. Requires mu_.
  bool SkipUnchanged(const std::string& path);
  void FinishFile();  // requires mu_
  void RejectFile(RejectReason reason, const std::string& detail, uint64_t line);

  const std::vector<std::string> files_;
  const SourceOptions options_;
  RejectSink* const rejects_;
  std::shared_ptr<JsonlParserPool> parsers_;
  std::shared_ptr<BufferPool> buffers_;
  uint64_t bytes_total_ = 0;

  mutable std::mutex mu_;
  size_t next_file_ = 0;                             // guarded by mu_
  std::unique_ptr<ByteReader> reader_;               // guarded by mu_
  std::shared_ptr<const std::string> current_path_;  // guarded by mu_
  std::string carry_;                                // partial last line of the previous read; mu_
  uint64_t next_line_ = 1;                           // line number of carry_'s first line; mu_
  uint64_t file_bytes_ = 0;                     // decompressed bytes seen in the current file; mu_
  bool skipping_long_line_ = false;             // dropping bytes up to the next newline; mu_
  bool file_failed_ = false;                    // the current file hit a read error; mu_
  std::vector<std::string> damaged_;            // files not read to their end; mu_
  uint64_t finished_files_bytes_ = 0;           // guarded by mu_
  std::optional<SourceCursor> current_cursor_;  // of the file being read, when kept; mu_
  std::vector<SourceCursor> finished_cursors_;  // not yet taken; mu_
  uint64_t skipped_ = 0;                        // guarded by mu_
  std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace nightjar

#endif  // NIGHTJAR_CORPUS_JSONL_SOURCE_H_
