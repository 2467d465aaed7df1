#include "corpus/file_list.h"

#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_split.h"

namespace nightjar {
namespace {

namespace fs = std::filesystem;

bool IsCorpusFileName(const std::string& name) {
  std::string n = name;
  for (const char* ext : {".gz", ".zst"}) {
    if (n.size() > 4 && n.ends_with(ext)) n.resize(n.size() - std::char_traits<char>::length(ext));
  }
  return n.ends_with(".jsonl") || n.ends_with(".ndjson") || n.ends_with(".json");
}

absl::Status AddEntry(const std::string& entry, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_directory(entry, ec)) {
    size_t before = out.size();
    for (auto it = fs::recursive_directory_iterator(
             entry, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && IsCorpusFileName(it->path().filename().string())) {
        out.push_back(it->path().string());
      }
    }
    if (ec)
      return absl::InvalidArgumentError(
          fmt::format("corpus: cannot list {}: {}", entry, ec.message()));
    if (out.size() == before) {
      return absl::InvalidArgumentError(
          fmt::format("corpus: directory {} holds no .jsonl/.ndjson/.json[.gz|.zst] files", entry));
    }
    return absl::OkStatus();
  }
  if (entry.find_first_of("*?[") != std::string::npos) {
    glob_t g{};
    int rc = ::glob(entry.c_str(), GLOB_NOSORT, nullptr, &g);
    size_t before = out.size();
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (!fs::is_directory(g.gl_pathv[i], ec)) out.emplace_back(g.gl_pathv[i]);
      }
    }
    ::globfree(&g);
    if (out.size() == before) {
      return absl::InvalidArgumentError(fmt::format("corpus: pattern {} matches no files", entry));
    }
    return absl::OkStatus();
  }
  // A plain path: kept even when it cannot be read, so the run reports it as unreadable_file.
  if (!fs::exists(entry, ec)) {
    return absl::InvalidArgumentError(fmt::format("corpus: {} does not exist", entry));
  }
  out.push_back(entry);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandCorpusPaths(const std::string& spec) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    std::string entry(part.data(), part.size());
    if (absl::Status st = AddEntry(entry, out); !st.ok()) return st;
  }
  if (out.empty()) return absl::InvalidArgumentError("corpus: no input paths given");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace nightjar
