#include "text/tokenizer.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Folded(std::string_view text, const TokenizerOptions& opts = {}) {
  Tokenizer t(opts);
  std::vector<std::string> out;
  t.Tokenize(text, [&](const Token& tok) { out.emplace_back(tok.folded); });
  return out;
}

std::vector<std::string> Surface(std::string_view text, const TokenizerOptions& opts = {}) {
  Tokenizer t(opts);
  std::vector<std::string> out;
  t.Tokenize(text, [&](const Token& tok) { out.emplace_back(tok.surface); });
  return out;
}

TEST(TokenizerTest, AsciiWordsAreLowercased) {
  EXPECT_THAT(Folded("Hello, World! It's NASA."), ElementsAre("hello", "world", "it's", "nasa"));
  EXPECT_THAT(Surface("Hello, NASA."), ElementsAre("Hello", "NASA"));
}

TEST(TokenizerTest, EmptyAndSeparatorOnly) {
  EXPECT_THAT(Folded(""), IsEmpty());
  EXPECT_THAT(Folded("  ,.;!? \t\n--''"), IsEmpty());
}

TEST(TokenizerTest, ApostrophesJoinOnlyInside) {
  EXPECT_THAT(Folded("don't 'quoted' students' o'clock"),
              ElementsAre("don't", "quoted", "students", "o'clock"));
  TokenizerOptions no_apos;
  no_apos.inner_apostrophe = false;
  EXPECT_THAT(Folded("don't", no_apos), ElementsAre("don", "t"));
}

TEST(TokenizerTest, TypographicApostropheIsUnified) {
  EXPECT_THAT(Folded("don\u2019t"), ElementsAre("don't"));
  EXPECT_THAT(Surface("don\u2019t"), ElementsAre("don\u2019t"));
}

TEST(TokenizerTest, HyphensSplitByDefault) {
  EXPECT_THAT(Folded("e-mail state-of-the-art -x y-"),
              ElementsAre("e", "mail", "state", "of", "the", "art", "x", "y"));
  TokenizerOptions hy;
  hy.inner_hyphen = true;
  EXPECT_THAT(Folded("e-mail state-of-the-art -x y- a--b", hy),
              ElementsAre("e-mail", "state-of-the-art", "x", "y", "a", "b"));
}

TEST(TokenizerTest, DigitsAndNumbers) {
  EXPECT_THAT(Folded("mp3 2024 covid19 3d"), ElementsAre("mp3", "covid19", "3d"));
  TokenizerOptions nums;
  nums.numbers = true;
  EXPECT_THAT(Folded("mp3 2024", nums), ElementsAre("mp3", "2024"));
  TokenizerOptions no_digits;
  no_digits.digits = false;
  EXPECT_THAT(Folded("mp3 2024 a1b", no_digits), ElementsAre("mp", "a", "b"));
}

TEST(TokenizerTest, UnicodeCaseFoldingAndNfkc) {
  EXPECT_THAT(Folded("Straße ÉCOLE"), ElementsAre("strasse", "école"));
  EXPECT_THAT(Folded("\uFB01le"), ElementsAre("file"));           // ligature fi
  EXPECT_THAT(Folded("\uFF21\uFF22\uFF23"), ElementsAre("abc"));  // full-width ABC
  EXPECT_THAT(Folded("cafe\u0301"), ElementsAre("caf\u00e9"));    // composed
  EXPECT_THAT(Folded("Москва Αθήνα"), ElementsAre("москва", "αθήνα"));
}

TEST(TokenizerTest, NfkcEquivalentSpellingsFoldTogether) {
  EXPECT_EQ(Folded("caf\u00e9"), Folded("CAFE\u0301"));
}

TEST(TokenizerTest, SoftHyphenIsIgnoredInsideWords) {
  EXPECT_THAT(Folded("co\u00ADoperate"), ElementsAre("cooperate"));
}

TEST(TokenizerTest, IdeographsAreSingleTokens) {
  EXPECT_THAT(Folded("中文abc日"), ElementsAre("中", "文", "abc", "日"));
}

TEST(TokenizerTest, InvalidUtf8AndControlBytesSeparate) {
  EXPECT_THAT(Folded(std::string("ab\xff"
                                 "cd\x01"
                                 "ef\xc3",
                                 9)),
              ElementsAre("ab", "cd", "ef"));
  EXPECT_THAT(Folded(std::string("a\0b", 3)), ElementsAre("a", "b"));
  EXPECT_THAT(Folded("\xed\xa0\x80x"), ElementsAre("x"));  // encoded surrogate
}

TEST(TokenizerTest, LongTokensAreSkippedAndCounted) {
  TokenizerOptions opts;
  opts.max_token_bytes = 5;
  Tokenizer t(opts);
  std::vector<std::string> out;
  t.Tokenize("short toolong ok \u00e9\u00e9\u00e9",
             [&](const Token& tok) { out.emplace_back(tok.folded); });
  EXPECT_THAT(out, ElementsAre("short", "ok"));
  EXPECT_EQ(t.long_tokens_skipped(), 2u);
}

TEST(TokenizerTest, MaxTokenBytesIsClampedToFastPathBuffer) {
  TokenizerOptions opts;
  opts.max_token_bytes = 100000;
  Tokenizer t(opts);
  EXPECT_EQ(t.options().max_token_bytes, 256u);
  std::string big(300, 'a');
  std::vector<std::string> out;
  t.Tokenize(big + " b", [&](const Token& tok) { out.emplace_back(tok.folded); });
  EXPECT_THAT(out, ElementsAre("b"));
}

TEST(TokenizerTest, UnassignedCodePointsInIdeographBlocksAreSeparators) {
  // Found by the fuzzer: U+3FFFF is in the ideograph planes but unassigned.
  EXPECT_THAT(Folded("f\xf0\xbf\xbf\xbf\xbf"), ElementsAre("f"));
}

TEST(TokenizerTest, MarksDoNotStartTokens) { EXPECT_THAT(Folded("\u0301abc"), ElementsAre("abc")); }

// The ASCII fast path and the general scanner must agree token for token, whatever the mix of
// ASCII, joiners, non-ASCII letters, separators and invalid bytes.
TEST(TokenizerTest, FastPathMatchesGeneralScanner) {
  const std::vector<std::string> pieces = {
      "a",  "Z",      "q",      "7",      "'",      "-",       " ",      ".",
      "\n", "\xff",   "\xc3",   "\u00e9", "\u00c9", "\u2019",  "\u2010", "\u00AD",
      "中", "\u0301", "\u2014", "ß",      "\0",     "abcdefg", "XYZ",    "0x1F"};
  std::mt19937 rng(12345);
  std::vector<TokenizerOptions> option_sets(4);
  option_sets[1].numbers = true;
  option_sets[1].inner_hyphen = true;
  option_sets[1].max_token_bytes = 6;
  option_sets[2].digits = false;
  option_sets[2].inner_apostrophe = false;
  option_sets[3].inner_hyphen = true;
  option_sets[3].max_token_bytes = 3;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    for (const TokenizerOptions& opts : option_sets) {
      Tokenizer fast(opts), general(opts);
      std::vector<std::pair<std::string, std::string>> a, b;
      fast.Tokenize(text, [&](const Token& t) { a.emplace_back(t.folded, t.surface); });
      general.TokenizeReference(text, [&](const Token& t) { b.emplace_back(t.folded, t.surface); });
      ASSERT_EQ(a, b) << "text: " << testing::PrintToString(text);
      ASSERT_EQ(fast.long_tokens_skipped(), general.long_tokens_skipped());
    }
  }
}

}  // namespace
}  // namespace nightjar
