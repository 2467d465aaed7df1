// Times the counting pass alone (read, parse, tokenize, tf/df, n-grams) on a corpus, so that it
// can be profiled and compared without the miners around it. Prints one JSON line per rep:
//   count_bench CORPUS_URI [THREADS] [REPS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "corpus/document_source.h"
#include "corpus/reject.h"
#include "count/corpus_counter.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: count_bench CORPUS_URI [THREADS] [REPS]\n");
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 1;
  for (int rep = 0; rep < reps; ++rep) {
    nightjar::RejectLog rejects;
    nightjar::SourceOptions source_options;
    source_options.uri = argv[1];
    auto source = nightjar::DocumentSource::Open(source_options, &rejects);
    if (!source.ok()) {
      std::fprintf(stderr, "%s\n", std::string(source.status().message()).c_str());
      return 1;
    }
    nightjar::CountOptions options;
    options.threads = threads;
    const auto t0 = std::chrono::steady_clock::now();
    auto counts = nightjar::CountCorpus(**source, options, rejects, nullptr);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!counts.ok()) {
      std::fprintf(stderr, "%s\n", std::string(counts.status().message()).c_str());
      return 1;
    }
    std::printf("{\"seconds\": %.4f, \"text_bytes\": %llu, \"terms\": %zu, \"tokens\": %llu}\n", s,
                static_cast<unsigned long long>(counts->totals.text_bytes), counts->terms.size(),
                static_cast<unsigned long long>(counts->totals.tokens));
  }
  return 0;
}
