// libFuzzer target: the tokenizer must never crash, loop or emit a malformed token on any bytes.
#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void Run(std::string_view text, const nightjar::TokenizerOptions& opts) {
  nightjar::Tokenizer t(opts);
  nightjar::Tokenizer reference(opts);
  std::vector<std::pair<std::string, std::string>> fast;
  const char* lo = text.data();
  const char* hi = text.data() + text.size();
  t.Tokenize(text, [&](const nightjar::Token& tok) {
    Check(!tok.folded.empty());
    Check(tok.folded.size() <= t.options().max_token_bytes);
    Check(!tok.surface.empty() && tok.surface.data() >= lo &&
          tok.surface.data() + tok.surface.size() <= hi);
    // The folded form is valid UTF-8 without NUL or ASCII control characters.
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(tok.folded.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(tok.folded.size());
    while (left > 0) {
      utf8proc_int32_t cp = 0;
      utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
      Check(n > 0 && cp >= 0x20);
      p += n;
      left -= n;
    }
    fast.emplace_back(tok.folded, tok.surface);
  });
  // The ASCII fast path gives exactly the general scanner's tokens.
  std::vector<std::pair<std::string, std::string>> general;
  reference.TokenizeReference(
      text, [&](const nightjar::Token& tok) { general.emplace_back(tok.folded, tok.surface); });
  Check(fast == general);
  Check(t.long_tokens_skipped() == reference.long_tokens_skipped());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Run(text, {});
  nightjar::TokenizerOptions all;
  all.numbers = true;
  all.inner_hyphen = true;
  all.max_token_bytes = 7;
  Run(text, all);
  nightjar::TokenizerOptions none;
  none.digits = false;
  none.inner_apostrophe = false;
  Run(text, none);
  return 0;
}
