#include "corpus/document_source.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>

#include "corpus/file_list.h"
#include "corpus/jsonl_source.h"
#include "corpus/mongo_source.h"
#include "corpus/postgres_source.h"
#include "util/uri.h"

namespace nightjar {

uint32_t JsonlFileShard(std::string_view path, uint32_t count) {
  return static_cast<uint32_t>(XXH3_64bits(path.data(), path.size()) % std::max(count, 1u));
}

absl::StatusOr<std::unique_ptr<DocumentSource>> DocumentSource::Open(const SourceOptions& options,
                                                                     RejectSink* rejects) {
  std::string spec = options.uri;
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    return absl::InvalidArgumentError(
        fmt::format("--shard {}/{}: the index must be below the count", options.shard.index,
                    options.shard.count));
  }
  if (spec.starts_with("postgres://") || spec.starts_with("postgresql://")) {
    auto source = PostgresSource::Open(options, rejects);
    if (!source.ok()) return source.status();
    return std::unique_ptr<DocumentSource>(std::move(*source));
  }
  if (spec.starts_with("mongodb://") || spec.starts_with("mongodb+srv://")) {
    auto source = MongoSource::Open(options, rejects);
    if (!source.ok()) return source.status();
    return std::unique_ptr<DocumentSource>(std::move(*source));
  }
  if (spec.starts_with("jsonl:")) {
    spec = spec.substr(6);
  } else if (spec.find("://") != std::string::npos) {
    return absl::InvalidArgumentError(
        fmt::format("corpus.uri: unsupported scheme in '{}' (this build reads jsonl:PATH|DIR|GLOB, "
                    "postgres:// and mongodb://)",
                    RedactUri(spec)));
  }
  if (spec.empty()) return absl::InvalidArgumentError("corpus.uri: empty");
  auto files = ExpandCorpusPaths(spec);
  if (!files.ok()) return files.status();
  if (options.shard.count > 1) {
    std::erase_if(*files, [&](const std::string& f) {
      return JsonlFileShard(f, options.shard.count) != options.shard.index;
    });
  }
  return std::unique_ptr<DocumentSource>(
      std::make_unique<JsonlSource>(std::move(files).value(), options, rejects));
}

}  // namespace nightjar
