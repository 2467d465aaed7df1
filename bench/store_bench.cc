// Store and snapshot benchmarks on a synthetic N-word lexicon (bench/store drives it):
//   store_bench resp    --words N                  RESP HSET commands for redis-cli --pipe
//   store_bench export  --store URI --words N      timed VersionBuilder Append+Seal+Commit
//   store_bench switch  --store URI --reps R       timed Activate / rollback of the last two
//   store_bench load    --store URI --reps R       timed Snapshot::Load of the current version
//   store_bench queries --words N                  sample queries (misspelled words) for wrk
// Every mode prints one JSON line. The same seed gives the same records in resp and export.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "lexicon/corrector.h"
#include "serve/snapshot.h"
#include "store/manifest.h"
#include "store/redis_store.h"
#include "util/json_writer.h"

namespace nightjar {
namespace {

struct Record {
  std::string_view lexicon;
  std::string key;
  std::string json;
};

// N distinct lowercase words (4-12 letters), Zipf frequencies (all >= 5: every word is a
// correction candidate, the snapshot's worst case), a transposition variant on every 20th word,
// and related/expansion lists for the top 10k.
std::vector<Record> Generate(size_t n, const std::string& version) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> len(4, 12), letter(0, 25);
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> words;
  while (words.size() < n) {
    std::string w(static_cast<size_t>(len(rng)), 'a');
    for (char& c : w) c = static_cast<char>('a' + letter(rng));
    if (seen.insert(w).second) words.push_back(std::move(w));
  }
  std::vector<Record> out;
  out.reserve(n + n / 10 + 20000);
  for (size_t i = 0; i < n; ++i) {
    const std::string& w = words[i];
    const uint64_t f = std::max<uint64_t>(5, 50000000 / (i + 1));
    std::string variant;
    if (i % 20 == 0) {
      variant = w;
      std::swap(variant[1], variant[2]);
      if (seen.contains(variant)) variant.clear();
    }
    out.push_back(
        {kSpellingLexicon, w,
         fmt::format(
             R"({{"word":"{}","frequency":{},"doc_frequency":{},"variants":[{}],"version":"{}"}})",
             w, f, f / 3 + 1, variant.empty() ? "" : "\"" + variant + "\"", version)});
    if (!variant.empty()) {
      out.push_back({kCorrectionsLexicon, variant,
                     fmt::format(R"({{"variant":"{}","word":"{}","score":0.9,"version":"{}"}})",
                                 variant, w, version)});
    }
    out.push_back({kVocabularyLexicon, w, fmt::format(R"({{"word":"{}","frequency":{}}})", w, f)});
    if (i < 10000) {
      const std::string& a = words[(i + 1) % n];
      const std::string& b = words[(i + 2) % n];
      out.push_back(
          {kRelatedLexicon, w,
           fmt::format(
               R"({{"word":"{}","related_terms":[{{"term":"{}","score":0.8}},{{"term":"{}","score":0.7}}],"version":"{}","last_updated":"2026-11-23T00:00:00Z"}})",
               w, a, b, version)});
      out.push_back(
          {kExpansionsLexicon, w,
           fmt::format(
               R"({{"term":"{}","expansions":[{{"term":"{}","score":0.8}}],"max_expansions":3,"version":"{}"}})",
               w, a, version)});
    }
  }
  return out;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void Resp(std::string& out, const std::vector<std::string_view>& argv) {
  out += fmt::format("*{}\r\n", argv.size());
  for (auto a : argv) {
    out += fmt::format("${}\r\n", a.size());
    out.append(a);
    out += "\r\n";
  }
}

int Main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  std::string uri;
  size_t words = 1000000, reps = 5;
  std::string ns = "peer";
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--store") uri = v;
    if (k == "--words") words = std::stoul(v);
    if (k == "--reps") reps = std::stoul(v);
    if (k == "--namespace") ns = v;
  }
  if (mode == "resp" || mode == "queries") {
    const auto records = Generate(words, "v1.20261123");
    if (mode == "queries") {
      // Misspelled and correct words, one per line.
      for (size_t i = 0; i < records.size() && i < 200000; i += 97) {
        std::string q = records[i].key;
        if (i % 2 == 0 && q.size() > 3) std::swap(q[1], q[2]);
        std::printf("%s\n", q.c_str());
      }
      return 0;
    }
    // The same records as HSETs of 1000 fields, grouped by lexicon (as the builder sends them).
    std::vector<Record> sorted(records.begin(), records.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Record& a, const Record& b) { return a.lexicon < b.lexicon; });
    // Vocabulary records packed into ~1 MiB newline-joined chunks, one field per chunk.
    std::vector<Record> grouped;
    std::string chunk;
    size_t chunks = 0;
    for (auto& r : sorted) {
      if (r.lexicon != kVocabularyLexicon) {
        grouped.push_back(std::move(r));
        continue;
      }
      if (!chunk.empty()) chunk.push_back('\n');
      chunk += r.json;
      if (chunk.size() >= (1 << 20)) {
        grouped.push_back({kVocabularyLexicon, std::to_string(chunks++), std::move(chunk)});
        chunk.clear();
      }
    }
    if (!chunk.empty()) grouped.push_back({kVocabularyLexicon, std::to_string(chunks++), chunk});
    std::stable_sort(grouped.begin(), grouped.end(),
                     [](const Record& a, const Record& b) { return a.lexicon < b.lexicon; });
    RedisKeys keys(ns);
    std::string out;
    std::vector<std::string_view> cmd;
    std::string key;
    size_t i = 0;
    while (i < grouped.size()) {
      key = keys.lexicon("v1.20261123", grouped[i].lexicon);
      cmd.assign({"HSET", key});
      const std::string_view lex = grouped[i].lexicon;
      for (; i < grouped.size() && grouped[i].lexicon == lex && cmd.size() < 2002; ++i) {
        cmd.push_back(grouped[i].key);
        cmd.push_back(grouped[i].json);
      }
      Resp(out, cmd);
      if (out.size() > (1 << 24)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  auto store = LexiconStore::Open(uri);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  if (mode == "export") {
    auto b = (*store)->Begin(absl::Now());
    if (!b.ok()) return 1;
    const auto records = Generate(words, (*b)->version());
    uint64_t bytes = 0;
    for (const auto& r : records) bytes += r.key.size() + r.json.size();
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& r : records) {
      if (!(*b)->Append(r.lexicon, r.key, r.json).ok()) return 1;
    }
    auto files = (*b)->Seal();
    if (!files.ok()) return 1;
    Manifest m;
    m.version = (*b)->version();
    m.lexicons = *files;
    if (!(*b)->Commit(m, VersionState::kValidated, "").ok()) return 1;
    const double s = Seconds(t0);
    std::printf(R"({"version":"%s","records":%zu,"bytes":%lu,"seconds":%.4f})"
                "\n",
                (*b)->version().c_str(), records.size(), bytes, s);
    return 0;
  }
  if (mode == "switch") {
    auto list = (*store)->List();
    if (!list.ok() || list->size() < 2) return 1;
    const std::string a = (*list)[list->size() - 2].version, b = list->back().version;
    std::vector<double> activate, rollback;
    ActivateRequest r;
    r.actor = "bench";
    r.version = a;
    r.now = absl::Now();
    if (!(*store)->Activate(r).ok()) return 1;
    for (size_t i = 0; i < reps; ++i) {
      r.version = i % 2 == 0 ? b : a;
      r.action = "activate";
      r.now = absl::Now();
      auto t0 = std::chrono::steady_clock::now();
      if (!(*store)->Activate(r).ok()) return 1;
      activate.push_back(Seconds(t0));
      r.version = "";
      r.action = "rollback";
      t0 = std::chrono::steady_clock::now();
      if (!(*store)->Activate(r).ok()) return 1;
      rollback.push_back(Seconds(t0));
    }
    std::printf(
        R"({"activate_median_s":%.6f,"activate_max_s":%.6f,"rollback_median_s":%.6f,"rollback_max_s":%.6f})"
        "\n",
        Median(activate), *std::max_element(activate.begin(), activate.end()), Median(rollback),
        *std::max_element(rollback.begin(), rollback.end()));
    return 0;
  }
  if (mode == "scan") {  // where load time goes: scan + parse, then the corrector
    auto current = (*store)->Current();
    if (!current.ok() || !*current) return 1;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, uint64_t>> words;
    simdjson::dom::parser parser;
    size_t n = 0;
    auto st = (*store)->ScanLexicon(**current, kSpellingLexicon, [&](std::string_view r) { ++n; });
    const double scan = Seconds(t0);
    const auto t1 = std::chrono::steady_clock::now();
    st = (*store)->ScanLexicon(**current, kSpellingLexicon, [&](std::string_view r) {
      simdjson::dom::element e;
      std::string_view w;
      uint64_t f = 0;
      if (!parser.parse(r.data(), r.size()).get(e) && !e["word"].get(w) && !e["frequency"].get(f)) {
        words.emplace_back(std::string(w), f);
      }
    });
    const double parse = Seconds(t1);
    const auto t2 = std::chrono::steady_clock::now();
    SpellCorrector c(std::move(words), {}, CorrectorOptions{});
    std::printf(R"({"records":%zu,"scan_s":%.3f,"scan_parse_s":%.3f,"corrector_s":%.3f})"
                "\n",
                n, scan, parse, Seconds(t2));
    return 0;
  }
  if (mode == "load") {
    auto current = (*store)->Current();
    if (!current.ok() || !*current) return 1;
    std::vector<double> times;
    size_t n = 0;
    for (size_t i = 0; i < reps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto snap = Snapshot::Load(**store, **current);
      if (!snap.ok()) {
        std::fprintf(stderr, "%s\n", std::string(snap.status().message()).c_str());
        return 1;
      }
      times.push_back(Seconds(t0));
      n = (*snap)->words();
    }
    std::printf(R"({"words":%zu,"load_median_s":%.4f,"load_min_s":%.4f})"
                "\n",
                n, Median(times), *std::min_element(times.begin(), times.end()));
    return 0;
  }
  std::fprintf(stderr, "usage: store_bench resp|queries|export|switch|load ...\n");
  return 2;
}

}  // namespace
}  // namespace nightjar

int main(int argc, char** argv) { return nightjar::Main(argc, argv); }
