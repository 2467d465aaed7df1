// The channel model's edit classes and its learning from mined pairs.
#include "text/error_model.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "text/edit_distance.h"

namespace nightjar {
namespace {

std::optional<EditClass> Classify(std::string_view typed, std::string_view meant) {
  return ClassifyEdit(DecodeUtf8(typed), DecodeUtf8(meant));
}

TEST(ErrorModel, ClassifiesSingleEdits) {
  EXPECT_EQ(Classify("seatch", "search"), EditClass::kNeighbourSub);  // t is next to r
  EXPECT_EQ(Classify("seperate", "separate"), EditClass::kVowelSub);
  EXPECT_EQ(Classify("seamch", "search"), EditClass::kOtherSub);
  EXPECT_EQ(Classify("untill", "until"), EditClass::kDoubledInsert);
  EXPECT_EQ(Classify("searcxh", "search"), EditClass::kNeighbourInsert);  // x beside c
  EXPECT_EQ(Classify("seamrch", "search"), EditClass::kOtherInsert);
  EXPECT_EQ(Classify("refering", "referring"), EditClass::kDoubledDrop);
  EXPECT_EQ(Classify("serch", "search"), EditClass::kOtherDrop);
  EXPECT_EQ(Classify("athiest", "atheist"), EditClass::kSwap);
  EXPECT_EQ(Classify("search", "search"), std::nullopt);
  EXPECT_EQ(Classify("sraech", "search"), std::nullopt);  // two edits
  EXPECT_EQ(Classify("s", "search"), std::nullopt);
}

TEST(ErrorModel, ClassesAgreeWithTypingCost) {
  const ErrorModel d = ErrorModel::Default();
  for (auto [typed, meant] :
       std::vector<std::pair<const char*, const char*>>{{"seatch", "search"},
                                                        {"seperate", "separate"},
                                                        {"seamch", "search"},
                                                        {"untill", "until"},
                                                        {"refering", "referring"},
                                                        {"serch", "search"},
                                                        {"athiest", "atheist"},
                                                        {"seamrch", "search"}}) {
    const auto c = Classify(typed, meant);
    ASSERT_TRUE(c.has_value()) << typed;
    EXPECT_DOUBLE_EQ(TypingCost(DecodeUtf8(typed), DecodeUtf8(meant), 2), d[*c]) << typed;
  }
}

TEST(ErrorModel, NamesRoundTrip) {
  for (size_t i = 0; i < kEditClasses; ++i) {
    const auto c = static_cast<EditClass>(i);
    EXPECT_EQ(EditClassFromName(EditClassName(c)), c);
  }
  EXPECT_EQ(EditClassFromName("typo"), std::nullopt);
}

std::vector<std::pair<std::u32string, std::u32string>> Pairs(
    const std::vector<std::pair<const char*, const char*>>& pairs, int times) {
  std::vector<std::pair<std::u32string, std::u32string>> out;
  for (int i = 0; i < times; ++i) {
    for (const auto& [t, m] : pairs) out.emplace_back(DecodeUtf8(t), DecodeUtf8(m));
  }
  return out;
}

TEST(ErrorModel, WithoutPairsLearningGivesThePrior) {
  const ErrorModel d = ErrorModel::Default();
  const ErrorModel learned = ErrorModel::Learn({}, d, 100, 4.6);
  for (size_t k = 0; k < kEditClasses; ++k) EXPECT_NEAR(learned.cost[k], d.cost[k], 1e-9);
}

TEST(ErrorModel, FrequentClassesGetCheaperAndTheUnitStays) {
  const ErrorModel d = ErrorModel::Default();
  std::array<uint64_t, kEditClasses> counts{};
  // A corpus whose typos are mostly vowel confusions, some plain deletions; pairs two edits
  // apart are not counted.
  auto pairs = Pairs({{"seperate", "separate"}, {"independant", "independent"}}, 200);
  auto more = Pairs({{"serch", "search"}, {"seamch", "search"}, {"sraech", "search"}}, 20);
  pairs.insert(pairs.end(), more.begin(), more.end());
  const ErrorModel m = ErrorModel::Learn(pairs, d, 100, 4.6, &counts);
  EXPECT_EQ(counts[static_cast<size_t>(EditClass::kVowelSub)], 400u);
  EXPECT_EQ(counts[static_cast<size_t>(EditClass::kOtherDrop)], 20u);
  EXPECT_EQ(counts[static_cast<size_t>(EditClass::kSwap)], 0u);
  EXPECT_DOUBLE_EQ(m[EditClass::kOtherSub], 1.0);
  EXPECT_LT(m[EditClass::kVowelSub], d[EditClass::kVowelSub]);
  // Never seen while the unit was: rarer than assumed.
  EXPECT_GT(m[EditClass::kSwap], d[EditClass::kSwap]);
  for (double c : m.cost) {
    EXPECT_GE(c, 0.25);
    EXPECT_LE(c, 1.5);
  }
  // More pseudo-edits hold the model nearer its prior.
  const ErrorModel firm = ErrorModel::Learn(pairs, d, 100000, 4.6);
  EXPECT_LT(std::abs(firm[EditClass::kSwap] - d[EditClass::kSwap]),
            std::abs(m[EditClass::kSwap] - d[EditClass::kSwap]));
}

}  // namespace
}  // namespace nightjar
