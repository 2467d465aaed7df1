#include "text/dictionary.h"

#include <fmt/format.h>
#include <hunspell/hunspell.h>
#include <utf8proc.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <utility>

#include "absl/strings/str_split.h"
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

// What a suffix rule of `aff` may add after a stem: each SFX rule's affix ("0" is none), and
// when some rule allows a further suffix (a continuation class, "ed/X") every two of them too.
absl::flat_hash_set<std::string> SuffixEndings(std::string_view aff) {
  std::vector<std::string> appends = {""};
  bool twofold = false;
  while (!aff.empty()) {
    const size_t nl = aff.find('\n');
    const std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(aff.data(), std::min(nl, aff.size())),
                       absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    aff = nl == std::string_view::npos ? std::string_view() : aff.substr(nl + 1);
    // "SFX flag strip affix condition": a rule (its header, "SFX flag Y count", has four).
    if (fields.size() < 5 || fields[0] != "SFX") continue;
    absl::string_view affix = fields[3];
    const size_t slash = affix.find('/');
    twofold |= slash != absl::string_view::npos;
    affix = affix.substr(0, slash);
    appends.emplace_back(affix == "0" ? "" : std::string(affix));
  }
  absl::flat_hash_set<std::string> out(appends.begin(), appends.end());
  if (twofold) {
    for (const std::string& a : appends) {
      for (const std::string& b : appends) out.insert(a + b);
    }
  }
  return out;
}

// The encoding an .aff file declares (its SET line, as Hunspell reads it), else Hunspell's
// default, ISO8859-1.
std::string AffEncoding(std::string_view aff) {
  if (aff.substr(0, 3) == "\xEF\xBB\xBF") aff.remove_prefix(3);  // a byte-order mark
  while (!aff.empty()) {
    const size_t nl = aff.find('\n');
    std::string_view line = aff.substr(0, nl);
    aff = nl == std::string_view::npos ? std::string_view() : aff.substr(nl + 1);
    if (line.size() < 4 || line.substr(0, 3) != "SET" || (line[3] != ' ' && line[3] != '\t')) {
      continue;
    }
    line.remove_prefix(4);
    const size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string_view::npos) continue;
    line.remove_prefix(begin);
    return std::string(line.substr(0, line.find_first_of(" \t\r")));
  }
  return "ISO8859-1";
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
  const std::string encoding = AffEncoding(aff_bytes);
  if (encoding != "UTF-8") {
    return absl::FailedPreconditionError(
        fmt::format("text.language {}: {} is in {}, not UTF-8", options.language, aff, encoding));
  }
  std::unique_ptr<Dictionary> d(new Dictionary());
  d->aff_ = aff;
  d->dic_ = dic;
  d->name_ = "hunspell:" + options.language;
  Checksum sum;
  sum.Update(aff_bytes);
  sum.Update(dic_bytes);
  d->checksum_ = sum.HexDigest();
  d->inner_capitals_ = InnerCapitalStems(dic_bytes);
  d->suffix_endings_ = SuffixEndings(aff_bytes);
  return d;
}

Dictionary::~Dictionary() = default;

int Dictionary::IdleHandles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(idle_.size());
}

absl::Status Dictionary::Preload(int handles) const {
  std::vector<Handle> loaded;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.size() + loaded.size() >= static_cast<size_t>(std::max(handles, 0))) break;
    }
    Handle h(Hunspell_create(aff_.c_str(), dic_.c_str()));
    if (h == nullptr) {
      return absl::InternalError(fmt::format("{}: Hunspell could not load {}", name_, dic_));
    }
    loaded.push_back(std::move(h));
  }
  for (Handle& h : loaded) Return(std::move(h));
  return absl::OkStatus();
}

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
  // Suffixes follow the stem (NASA's): the word is such an entry's stem and what a suffix rule
  // may add. Most words begin with some two-letter entry in capitals (AB, AC, ...), so the
  // ending is checked first.
  const absl::string_view w(word.data(), word.size());
  for (size_t n = 1; n <= w.size(); ++n) {
    if (suffix_endings_.contains(w.substr(n)) && inner_capitals_.contains(w.substr(0, n))) {
      return true;
    }
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
