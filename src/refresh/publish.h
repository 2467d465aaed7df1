#ifndef NIGHTJAR_REFRESH_PUBLISH_H_
#define NIGHTJAR_REFRESH_PUBLISH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/ngram_stats.h"
#include "refresh/refresh_options.h"
#include "store/lexicon_store.h"
#include "store/validation.h"

namespace nightjar {

// Appends every record of every lexicon to `builder`, each also seen by `validator`, and
// declares every lexicon of kAllLexicons, so that one with no records is still published
// (empty). N-gram rows under options.ngrams.min_frequency are left out. With `threads` > 1 a
// second thread makes and checks some lexicons' records, which are appended after the rest; the
// files and gates are the same for any `threads`. Fails on the first store error.
[[nodiscard]] absl::Status WriteLexicons(const Lexicons& lex, const std::vector<NgramRow>& ngrams,
                                         const RefreshOptions& options, absl::Time started,
                                         int threads, VersionBuilder& builder,
                                         VersionValidator& validator);

// The settings sections a manifest records beside its tokenizer settings (Manifest::settings).
std::vector<std::pair<std::string, std::string>> ManifestSettings(const RefreshOptions& options);

// Everything besides the counts that the published lexicons depend on (the miners' settings
// and what the counts were made with), as a digest ("xxh3:...").
std::string SettingsDigest(const RefreshOptions& options);

}  // namespace nightjar

#endif  // NIGHTJAR_REFRESH_PUBLISH_H_
