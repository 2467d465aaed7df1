#include "count/count_table.h"

#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace nightjar {
namespace {

TEST(CountTableTest, InlineAndLongKeysAndNulBytes) {
  CountTable t;
  const std::string keys[] = {"a",
                              "abcdefgh",
                              "abcdefghi",
                              std::string("a\0b", 3),
                              std::string(300, 'z'),
                              "\xc3\xa9t\xc3\xa9"};
  for (int rep = 0; rep < 3; ++rep) {
    for (const auto& k : keys) t.AddOccurrence(k, CountTable::Hash(k), rep + 1);
  }
  EXPECT_EQ(t.size(), 6u);
  for (const auto& k : keys) {
    uint64_t c = 0, d = 0;
    ASSERT_TRUE(t.Get(k, &c, &d)) << k;
    EXPECT_EQ(c, 3u);
    EXPECT_EQ(d, 3u);
  }
  uint64_t c, d;
  EXPECT_FALSE(t.Get("ab", &c, &d));
  EXPECT_FALSE(t.Get(std::string("a\0", 2), &c, &d));  // differs from "a" only by a NUL
  std::map<std::string, uint64_t> seen;
  t.ForEach([&](std::string_view k, uint64_t count, uint64_t) { seen[std::string(k)] = count; });
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[std::string(300, 'z').substr(0, 300)], 3u);
}

TEST(CountTableTest, GrowsAndMatchesAReferenceMap) {
  CountTable t(4);
  std::map<std::string, uint64_t> ref;
  std::mt19937 rng(3);
  for (int i = 0; i < 200000; ++i) {
    std::string k = std::to_string(rng() % 50000);
    if (rng() % 7 == 0) k += "-long-suffix";
    t.AddOccurrence(k, CountTable::Hash(k), static_cast<uint64_t>(i + 1));
    ++ref[k];
  }
  EXPECT_EQ(t.size(), ref.size());
  for (const auto& [k, v] : ref) {
    uint64_t c, d;
    ASSERT_TRUE(t.Get(k, &c, &d));
    ASSERT_EQ(c, v);
    ASSERT_EQ(d, v);  // every occurrence had its own stamp
  }
}

TEST(CountTableTest, MovedFromTableIsEmptyAndUsable) {
  CountTable a;
  a.Add("x", CountTable::Hash("x"), 2, 1);
  a.Add("a-long-key-here", CountTable::Hash("a-long-key-here"), 1, 1);
  CountTable b = std::move(a);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  a.Add("another-long-key", CountTable::Hash("another-long-key"), 5, 1);
  uint64_t c, d;
  ASSERT_TRUE(b.Get("a-long-key-here", &c, &d));
  EXPECT_EQ(c, 1u);
  ASSERT_TRUE(a.Get("another-long-key", &c, &d));
  EXPECT_EQ(c, 5u);
  EXPECT_FALSE(b.Get("another-long-key", &c, &d));
}

}  // namespace
}  // namespace nightjar
