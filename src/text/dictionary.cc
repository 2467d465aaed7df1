#include "text/dictionary.h"

#include <fmt/format.h>
#include <hunspell/hunspell.h>
#include <utf8proc.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <utility>

#include "util/checksum.h"
#include "util/file_util.h"
#include "util/status_macros.h"

// Hunspell bounds its compound-word search in time, reading clock() on every word it checks
// (AffixMgr::compound_check). glibc's clock() is clock_gettime(CLOCK_PROCESS_CPUTIME_ID), a real
// system call (the vDSO answers only wall clocks): 4.7 us of the 6.6 us a lookup took here, which
// made the dictionary the slowest step of variant mining. This definition, in the executable,
// takes the place of libc's for every library of the process (ELF symbol interposition; the
// object is linked whenever a Dictionary is), counting monotonic wall time in the same
// CLOCKS_PER_SEC units: the time limits keep their length, and no longer run faster while other
// threads are busy. Nothing else in nightjar calls clock().
extern "C" clock_t clock() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<clock_t>(now.tv_sec) * CLOCKS_PER_SEC +
         static_cast<clock_t>(now.tv_nsec / (1000000000 / CLOCKS_PER_SEC));
}

namespace nightjar {
namespace {

// `word` with every code point in lower case.
std::string Lower(std::string_view word) {
  std::string out;
  out.reserve(word.size());
  size_t i = 0;
  while (i < word.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(word.data() + i),
                                    static_cast<utf8proc_ssize_t>(word.size() - i), &cp);
    if (n <= 0) return std::string(word);  // not UTF-8: left as it is
    utf8proc_uint8_t buf[4];
    const auto m = utf8proc_encode_char(utf8proc_tolower(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    i += static_cast<size_t>(n);
  }
  return out;
}

// `word` with its first code point (`first_only`) or every code point in upper case.
std::string Upper(std::string_view word, bool first_only) {
  std::string out;
  out.reserve(word.size());
  size_t i = 0;
  bool done = false;
  while (i < word.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(word.data() + i),
                                    static_cast<utf8proc_ssize_t>(word.size() - i), &cp);
    if (n <= 0) return std::string(word);  // not UTF-8: left as it is
    if (!done) cp = utf8proc_toupper(cp);
    utf8proc_uint8_t buf[4];
    const auto m = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    i += static_cast<size_t>(n);
    done = first_only;
  }
  return out;
}

// The lower-cased stems of the .dic entries with a capital past their first letter ("NASA",
// "McIntosh", "iPhone"): the only words whose capitals Knows must ask about.
absl::flat_hash_set<std::string> InnerCapitalStems(std::string_view dic) {
  absl::flat_hash_set<std::string> out;
  bool first_line = true;  // the entry count
  while (!dic.empty()) {
    const size_t nl = dic.find('\n');
    std::string_view line = dic.substr(0, nl);
    dic = nl == std::string_view::npos ? std::string_view() : dic.substr(nl + 1);
    if (std::exchange(first_line, false)) continue;
    line = line.substr(0, line.find_first_of("/\t "));
    // Most entries are ASCII with no capital past the first letter: settled without decoding.
    const bool plain = std::all_of(line.begin() + (line.empty() ? 0 : 1), line.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x80 && !(c >= 'A' && c <= 'Z');
    });
    if (plain && (line.empty() || static_cast<unsigned char>(line[0]) < 0x80)) continue;
    const std::string lower = Lower(line);
    if (Upper(lower, true) != line && lower != line) out.insert(lower);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Dictionary>> Dictionary::Open(const Options& options) {
  const std::string aff = fmt::format("{}/{}.aff", options.dir, options.language);
  const std::string dic = fmt::format("{}/{}.dic", options.dir, options.language);
  if (options.language.empty() || options.language.find('/') != std::string::npos ||
      !std::filesystem::exists(aff) || !std::filesystem::exists(dic)) {
    return absl::NotFoundError(fmt::format(
        "text.language {}: no Hunspell dictionary {} and {} (install Debian's hunspell-* package "
        "for it, e.g. hunspell-en-us for en_US; \"none\" turns the dictionary off)",
        options.language, aff, dic));
  }
  NJ_ASSIGN_OR_RETURN(const std::string aff_bytes, ReadFile(aff));
  NJ_ASSIGN_OR_RETURN(const std::string dic_bytes, ReadFile(dic));
  std::unique_ptr<Dictionary> d(new Dictionary());
  d->aff_ = aff;
  d->dic_ = dic;
  Handle h(Hunspell_create(aff.c_str(), dic.c_str()));
  if (h == nullptr) {
    return absl::InternalError(
        fmt::format("text.language {}: Hunspell could not load {}", options.language, dic));
  }
  const char* encoding = Hunspell_get_dic_encoding(h.get());
  if (encoding == nullptr || std::string_view(encoding) != "UTF-8") {
    return absl::FailedPreconditionError(
        fmt::format("text.language {}: {} is in {}, not UTF-8", options.language, aff,
                    encoding == nullptr ? "an unknown encoding" : encoding));
  }
  d->name_ = "hunspell:" + options.language;
  Checksum sum;
  sum.Update(aff_bytes);
  sum.Update(dic_bytes);
  d->checksum_ = sum.HexDigest();
  d->inner_capitals_ = InnerCapitalStems(dic_bytes);
  d->idle_.push_back(std::move(h));
  return d;
}

Dictionary::~Dictionary() = default;

void Dictionary::HandleDeleter::operator()(Hunhandle* h) const { Hunspell_destroy(h); }

Dictionary::Handle Dictionary::Borrow() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      Handle h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  // Loads the same files Open checked; a failure here is a file changed underneath.
  return Handle(Hunspell_create(aff_.c_str(), dic_.c_str()));
}

void Dictionary::Return(Handle h) const {
  if (h == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(h));
}

bool Dictionary::Knows(std::string_view word) const {
  if (word.empty() || word.find('\0') != std::string_view::npos) return false;
  // Hunspell takes a capitalized word for its lower-case entry too (a sentence's first word), so
  // one call covers "walking" and "Lisa"; entries in capitals ("NASA") and with inner capitals
  // ("McIntosh", which Hunspell accepts written in capitals) need a second.
  const std::string capitalized = Upper(word, true);
  Handle h = Borrow();
  if (h == nullptr) return false;
  bool known = Hunspell_spell(h.get(), capitalized.c_str()) != 0;
  if (!known && MayBeInnerCapital(word)) {
    known = Hunspell_spell(h.get(), Upper(word, false).c_str()) != 0;
  }
  Return(std::move(h));
  return known;
}

bool Dictionary::MayBeInnerCapital(std::string_view word) const {
  // Affixes follow the stem (NASA's): some prefix of the word is such an entry's stem.
  for (size_t n = 1; n <= word.size(); ++n) {
    if (inner_capitals_.contains(std::string(word.substr(0, n)))) return true;
  }
  return false;
}

std::vector<std::string> Dictionary::Stems(std::string_view word) const {
  std::vector<std::string> out;
  if (word.empty() || word.find('\0') != std::string_view::npos) return out;
  Handle h = Borrow();
  if (h == nullptr) return out;
  for (const std::string& form : {std::string(word), Upper(word, true)}) {
    char** list = nullptr;
    const int n = Hunspell_stem(h.get(), &list, form.c_str());
    for (int i = 0; i < n; ++i) {
      std::string stem = list[i];
      for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::find(out.begin(), out.end(), stem) == out.end()) out.push_back(std::move(stem));
    }
    Hunspell_free_list(h.get(), &list, n);
    if (!out.empty()) break;
  }
  Return(std::move(h));
  return out;
}

}  // namespace nightjar
