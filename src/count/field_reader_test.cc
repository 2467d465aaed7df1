#include "count/field_reader.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(FieldReaderTest, IdsBreaksAndCapitals) {
  TermTable terms;
  for (const char* t :
       {"abel", "wrote", "able", "\u00e9lan", "a-very-long-token-of-thirty-bytes"}) {
    terms.Add(t, TermStats{10, 1});
  }
  const Vocabulary vocab(terms, 1);
  FieldReader reader(TokenizerOptions{}, vocab);
  FieldIds f;
  reader.Read("Abel wrote: ABLE able. \u00c9lan \u00e9lan unknown", &f);
  ASSERT_EQ(f.ids.size(), 7u);
  EXPECT_EQ(f.ids[0], vocab.Find("abel"));
  EXPECT_EQ(f.ids[2], vocab.Find("able"));
  EXPECT_EQ(f.ids[3], vocab.Find("able"));
  EXPECT_EQ(f.ids[4], vocab.Find("\u00e9lan"));
  EXPECT_EQ(f.ids[6], Vocabulary::kNone);
  EXPECT_EQ(f.breaks, (std::vector<uint8_t>{0, 0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(f.capitals, (std::vector<uint8_t>{1, 0, 1, 0, 1, 0, 0}));
}

TEST(FieldReaderTest, ManyTokensAndLongKeysResolveInOrder) {
  TermTable terms;
  std::vector<std::string> words;
  for (int i = 0; i < 50; ++i) {
    words.push_back(absl::StrCat("w", i, i % 7 == 0 ? "-with-a-key-over-sixteen-bytes" : ""));
    terms.Add(words.back(), TermStats{static_cast<uint64_t>(100 - i), 1});
  }
  const Vocabulary vocab(terms, 1);
  TokenizerOptions options;
  options.inner_hyphen = true;
  FieldReader reader(options, vocab);
  std::string text;
  for (int rep = 0; rep < 3; ++rep) {
    for (const auto& w : words) text += w + " ";
  }
  FieldIds f;
  reader.Read(text, &f);
  ASSERT_EQ(f.ids.size(), 150u);
  for (size_t i = 0; i < f.ids.size(); ++i) ASSERT_EQ(f.ids[i], vocab.Find(words[i % 50])) << i;
}

}  // namespace
}  // namespace nightjar
