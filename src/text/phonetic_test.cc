#include "text/phonetic.h"

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(PhoneticKey, MetaphoneRules) {
  EXPECT_EQ(PhoneticKey("knight"), "NT");    // initial KN, silent GH
  EXPECT_EQ(PhoneticKey("thumb"), "0M");     // TH, final MB
  EXPECT_EQ(PhoneticKey("phone"), "FN");     // PH
  EXPECT_EQ(PhoneticKey("church"), "XRX");   // CH
  EXPECT_EQ(PhoneticKey("school"), "SKL");   // SCH
  EXPECT_EQ(PhoneticKey("science"), "SNS");  // SC before E/I/Y
  EXPECT_EQ(PhoneticKey("nation"), "NXN");   // -TION
  EXPECT_EQ(PhoneticKey("edge"), "EJ");      // DGE, a first vowel kept
  EXPECT_EQ(PhoneticKey("gem"), "JM");
  EXPECT_EQ(PhoneticKey("xylophone"), "SLFN");  // initial X, Y before a consonant
  EXPECT_EQ(PhoneticKey("wrist"), "RST");       // initial WR
  EXPECT_EQ(PhoneticKey("whale"), "WL");        // initial WH
  EXPECT_EQ(PhoneticKey("box"), "BKS");
  EXPECT_EQ(PhoneticKey("Zero"), "SR");  // case-insensitive
  EXPECT_EQ(PhoneticKey(""), "");
  EXPECT_EQ(PhoneticKey("42"), "");
}

// Misspellings that sound like their word share its key; different words do not.
TEST(PhoneticKey, SoundAlikesShareAKey) {
  for (const auto& [typo, word] : std::vector<std::pair<const char*, const char*>>{
           {"nescesarry", "necessary"},
           {"seperate", "separate"},
           {"definately", "definitely"},
           {"fone", "phone"},
           {"recieve", "receive"},
           {"millenium", "millennium"},
           {"acomodate", "accommodate"},
       }) {
    EXPECT_EQ(PhoneticKey(typo), PhoneticKey(word)) << typo << " / " << word;
  }
  EXPECT_NE(PhoneticKey("necessary"), PhoneticKey("nursery"));
  EXPECT_NE(PhoneticKey("accent"), PhoneticKey("ascent"));  // a doubled C is K S
  EXPECT_NE(PhoneticKey("there"), PhoneticKey("dare"));
}

}  // namespace
}  // namespace nightjar
