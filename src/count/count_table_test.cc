#include "count/count_table.h"

#include <map>
#include <random>
#include <string>
#include <vector>

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
    for (const auto& k : keys) t.AddOccurrence(CountTable::MakeKey(k), rep + 1);
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
    t.AddOccurrence(CountTable::MakeKey(k), static_cast<uint32_t>(i + 1));
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
  a.Add(CountTable::MakeKey("x"), 2, 1);
  a.Add(CountTable::MakeKey("a-long-key-here"), 1, 1);
  CountTable b = std::move(a);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  a.Add(CountTable::MakeKey("another-long-key"), 5, 1);
  uint64_t c, d;
  ASSERT_TRUE(b.Get("a-long-key-here", &c, &d));
  EXPECT_EQ(c, 1u);
  ASSERT_TRUE(a.Get("another-long-key", &c, &d));
  EXPECT_EQ(c, 5u);
  EXPECT_FALSE(b.Get("another-long-key", &c, &d));
}

TEST(CountTableTest, MakeKeyIsTheSameWithOrWithoutWordReads) {
  // A 48-byte buffer: keys of every length up to 32 at every offset, read both ways.
  const std::string buf = "the quick brown fox jumps over the lazy dog 0123";
  for (size_t len = 1; len <= 32; ++len) {
    for (size_t off = 0; off + len + 16 <= buf.size(); ++off) {
      const std::string_view key(buf.data() + off, len);
      const CountTable::Key safe = CountTable::MakeKey(key);
      const CountTable::Key fast = CountTable::MakeKey(key, buf.size() - off);
      ASSERT_EQ(safe.hash, fast.hash) << key;
      ASSERT_EQ(safe.is_short, len <= 16);
      ASSERT_EQ(safe.w0, fast.w0);
      ASSERT_EQ(safe.w1, fast.w1);
    }
  }
  // Keys that differ only in a byte past the key's end are the same key.
  EXPECT_EQ(CountTable::MakeKey(std::string_view("abcX", 3), 4).hash, CountTable::Hash("abc"));
  // A NUL byte sends a short key to the long path, where it still counts exactly.
  EXPECT_FALSE(CountTable::MakeKey(std::string("ab\0", 3)).is_short);
}

TEST(CountTableTest, KeysAroundTheInlineLimitStayDistinct) {
  CountTable t;
  std::vector<std::string> keys;
  for (size_t len = 14; len <= 18; ++len) {
    keys.emplace_back(len, 'k');
    keys.push_back(std::string(len - 1, 'k') + "q");
  }
  keys.push_back(std::string("kkkkkkkkkkkkkkk\0", 16));  // 15 k's then a NUL
  for (size_t i = 0; i < keys.size(); ++i) t.Add(CountTable::MakeKey(keys[i]), i + 1, 1);
  ASSERT_EQ(t.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t c = 0, d = 0;
    ASSERT_TRUE(t.Get(keys[i], &c, &d));
    EXPECT_EQ(c, i + 1);
  }
}

TEST(CountTableTest, ResetStampsLetsStampsStartAgain) {
  CountTable t;
  const CountTable::Key k = CountTable::MakeKey("word");
  t.AddOccurrence(k, 7);
  t.AddOccurrence(k, 7);  // same unit: distinct stays 1
  t.ResetStamps();
  t.AddOccurrence(k, 7);  // after a reset the same stamp is a new unit
  uint64_t c = 0, d = 0;
  ASSERT_TRUE(t.Get("word", &c, &d));
  EXPECT_EQ(c, 3u);
  EXPECT_EQ(d, 2u);
}

}  // namespace
}  // namespace nightjar
