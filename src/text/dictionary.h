#ifndef NIGHTJAR_TEXT_DICTIONARY_H_
#define NIGHTJAR_TEXT_DICTIONARY_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

struct Hunhandle;

namespace nightjar {

// A spelling dictionary (text.language): which words a language knows, with their inflected and
// affixed forms, and their stems. Backed by Hunspell and the system's hunspell-<lang> word lists.
// An input of the lexicons: its name and checksum go into the manifest's settings.
// Thread-safe: a Hunspell handle is not, so each concurrent caller borrows its own from a pool
// (loaded on first need, ~50 ms each, or ahead of need by Preload; kept until the dictionary is
// destroyed).
class Dictionary {
 public:
  struct Options {
    std::string language = "en_US";           // LANG.aff and LANG.dic in `dir`
    std::string dir = "/usr/share/hunspell";  // where Debian's hunspell-* packages put them
  };
  // Checks and reads the files without loading Hunspell (Preload or the first question does).
  // NotFound naming the files and the Debian package when the language has none, or
  // FailedPrecondition when the .aff does not declare UTF-8; "none" is not a language (callers
  // skip the dictionary for it).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Dictionary>> Open(const Options& options);
  ~Dictionary();
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  // Whether the language knows `word` (case-folded, as the tokenizer gives it): as written, or
  // capitalized (names: "lisa" is known as "Lisa"), or in capitals ("nasa", "mcintosh" as
  // McIntosh). Forms built by affix rules (plurals, tenses, -ly, un-) count as known.
  bool Knows(std::string_view word) const;
  // The stems of `word` (case-folded; "running" -> "run"), empty when unknown.
  std::vector<std::string> Stems(std::string_view word) const;

  // Loads Hunspell handles until `handles` are idle, so that as many threads asking at once
  // find theirs ready (a program overlaps this ~50 ms per handle with other work). Internal
  // when Hunspell cannot load the files.
  [[nodiscard]] absl::Status Preload(int handles) const;

  // How many loaded handles are idle now (a hint: other threads may borrow them at once).
  int IdleHandles() const;

  const std::string& name() const { return name_; }          // "hunspell:en_US"
  const std::string& checksum() const { return checksum_; }  // "xxh3:..." of the .aff and .dic

 private:
  Dictionary() = default;
  struct HandleDeleter {
    void operator()(Hunhandle* h) const;
  };
  using Handle = std::unique_ptr<Hunhandle, HandleDeleter>;
  // A handle for this caller alone (from the pool, or a newly loaded one), returned by Return.
  Handle Borrow() const;
  void Return(Handle h) const;

  // True when `word` may be an entry written with inner capitals, or its suffixed form.
  bool MayBeInnerCapital(std::string_view word) const;

  std::string aff_, dic_;
  absl::flat_hash_set<std::string> inner_capitals_;  // InnerCapitalStems of the .dic
  absl::flat_hash_set<std::string> suffix_endings_;  // SuffixEndings of the .aff
  mutable std::mutex mu_;
  mutable std::vector<Handle> idle_;
  std::string name_, checksum_;
};

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_DICTIONARY_H_
