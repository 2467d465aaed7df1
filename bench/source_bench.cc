// Times a corpus source alone: every document read and its fields touched, on one consumer
// thread (as a stateful refresh reads). Prints one JSON line:
//   source_bench CORPUS_URI [--cursors FILE]
// With --cursors, the source resumes from the cursors in FILE (key TAB value per line, when the
// file exists) and writes the cursors it hands out back to it, as a state would keep them.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "corpus/document_source.h"
#include "corpus/reject.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: source_bench CORPUS_URI [--cursors FILE]\n");
    return 2;
  }
  const std::string cursors_path = argc > 3 && std::string(argv[2]) == "--cursors" ? argv[3] : "";
  std::map<std::string, std::string> cursors;
  if (std::ifstream in(cursors_path); !cursors_path.empty() && in) {
    for (std::string line; std::getline(in, line);) {
      const size_t tab = line.find('\t');
      if (tab != std::string::npos) cursors[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  nightjar::RejectLog rejects;
  nightjar::SourceOptions o;
  o.uri = argv[1];
  if (!cursors_path.empty()) {
    o.resume = [&](const std::string& key) -> std::optional<std::string> {
      auto it = cursors.find(key);
      if (it == cursors.end()) return std::nullopt;
      return it->second;
    };
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto source = nightjar::DocumentSource::Open(o, &rejects);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", std::string(source.status().message()).c_str());
    return 1;
  }
  uint64_t docs = 0, text = 0, deleted = 0;
  std::map<std::string, std::string> handed;
  for (;;) {
    auto batch = (*source)->Next();
    if (!batch.ok()) {
      std::fprintf(stderr, "%s\n", std::string(batch.status().message()).c_str());
      return 1;
    }
    if (*batch == nullptr) break;
    (*batch)->ForEach(
        [&](const nightjar::Document& d) {
          ++docs;
          deleted += d.deleted;
          for (std::string_view f : d.fields) text += f.size();
        },
        rejects);
    for (auto& c : (*source)->TakeFinishedCursors()) handed[c.key] = c.value;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const nightjar::SourceProgress p = (*source)->progress();
  if (!cursors_path.empty()) {
    for (auto& [k, v] : handed) cursors[k] = v;
    std::ofstream out(cursors_path);
    for (auto& [k, v] : cursors) out << k << '\t' << v << '\n';
  }
  std::printf(
      "{\"seconds\": %.4f, \"documents\": %llu, \"deleted\": %llu, \"text_bytes\": %llu, "
      "\"bytes_read\": %llu, \"rejects\": %llu, \"retries\": %llu}\n",
      s, static_cast<unsigned long long>(docs), static_cast<unsigned long long>(deleted),
      static_cast<unsigned long long>(text), static_cast<unsigned long long>(p.bytes_read),
      static_cast<unsigned long long>(rejects.total()), static_cast<unsigned long long>(p.retries));
  return 0;
}
