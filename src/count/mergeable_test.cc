// The merge laws of count/mergeable.h, checked for every count type: Merge is associative and
// commutative, a default-constructed state is its identity, and merging the parts of a stream
// of increments, in any grouping and with MergeAll on several threads, equals counting the whole
// stream into one state.
#include "count/mergeable.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "count/abbreviation_counts.h"
#include "count/cooccurrence_counter.h"
#include "count/corpus_counter.h"
#include "count/count_table.h"
#include "count/key_count_map.h"
#include "count/pair_count_map.h"
#include "count/phrase_counter.h"
#include "count/sorted_pair_counts.h"
#include "count/term_table.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

// Per type: Make() an empty state of the bounds the increments need, Add(state, r) one
// increment chosen by the random word r, Finish(state) before it is compared or merged. The
// increments reach every internal path: long keys, key 0, 32-bit overflow, high id blocks.
template <typename T>
struct Traits;

std::string TermOf(uint64_t r) {
  std::string t = "t" + std::to_string(r % 211);
  if (r % 7 == 0) t += "-a-key-longer-than-sixteen-bytes";  // stored in the arena
  return t;
}

template <>
struct Traits<CountTable> {
  static CountTable Make() { return CountTable(); }
  static void Add(CountTable* t, uint64_t r) {
    t->Add(CountTable::MakeKey(TermOf(r)), 1 + (r >> 20) % 3, 1);
  }
  static void Finish(CountTable*) {}
};

template <>
struct Traits<TermTable> {
  static TermTable Make() { return TermTable(); }
  static void Add(TermTable* t, uint64_t r) { t->Add(TermOf(r), TermStats{1 + (r >> 20) % 5, 1}); }
  static void Finish(TermTable*) {}
};

template <typename Word>
struct Traits<BasicKeyCountMap<Word>> {
  static BasicKeyCountMap<Word> Make() { return BasicKeyCountMap<Word>(); }
  static void Add(BasicKeyCountMap<Word>* m, uint64_t r) {
    const Word key = static_cast<Word>(r % 3001);  // key 0 included
    // Now and then an increment that overflows a 32-bit slot into the side map.
    const uint64_t n = (r >> 24) % 97 == 0 ? uint64_t{0xFFFFFFF0} : 1;
    if ((r >> 40) % 2 == 0) {
      m->Add(key, n);
    } else {
      m->AddBatch(&key, 1);
    }
  }
  static void Finish(BasicKeyCountMap<Word>*) {}
};

template <>
struct Traits<PairCountMap> {
  static PairCountMap Make() { return PairCountMap(); }
  static void Add(PairCountMap* m, uint64_t r) {
    const bool high = (r >> 30) % 5 == 0;  // ids past 2^16 land in other blocks
    const uint64_t a = high ? 70000 + r % 17 : r % 50, b = high ? (r >> 8) % 90000 : (r >> 8) % 50;
    m->Add(a << 32 | b, 1);
  }
  static void Finish(PairCountMap*) {}
};

SortedPairCounts::Options SmallSortedOptions() {
  SortedPairCounts::Options o;
  o.rows = 300;
  o.columns = 40;
  o.min_buffer = 16;  // many flushes and merges
  o.count_limit = 5;  // counts past 5 go to the side map
  return o;
}

template <>
struct Traits<SortedPairCounts> {
  static SortedPairCounts Make() { return SortedPairCounts(SmallSortedOptions()); }
  static void Add(SortedPairCounts* c, uint64_t r) {
    c->Add(r % 300, static_cast<uint32_t>((r >> 16) % 40));
  }
  static void Finish(SortedPairCounts* c) { c->Flush(); }
};

template <>
struct Traits<CorpusTotals> {
  static CorpusTotals Make() { return CorpusTotals(); }
  static void Add(CorpusTotals* t, uint64_t r) {
    t->documents += r % 2;
    t->deleted += (r >> 1) % 2;
    t->truncated += (r >> 2) % 2;
    t->tokens += (r >> 3) % 100;
    t->text_bytes += (r >> 10) % 1000;
    t->long_tokens_skipped += (r >> 20) % 2;
  }
  static void Finish(CorpusTotals*) {}
};

template <>
struct Traits<AbbreviationCounts> {
  static AbbreviationCounts Make() { return AbbreviationCounts(); }
  static void Add(AbbreviationCounts* c, uint64_t r) {
    c->Add(AbbreviationCounts::Key("SF" + std::to_string(r % 13),
                                   "long form " + std::to_string(r % 29)));
  }
  static void Finish(AbbreviationCounts*) {}
};

template <>
struct Traits<PhraseCounts> {
  static PhraseCounts Make() { return PhraseCounts(60); }
  static void Add(PhraseCounts* c, uint64_t r) {
    const auto a = static_cast<uint32_t>(r % 60), b = static_cast<uint32_t>((r >> 8) % 60),
               d = static_cast<uint32_t>((r >> 16) % 60);
    switch ((r >> 32) % 3) {
      case 0:
        c->bigrams.Add(BigramKey(a, b));
        break;
      case 1:
        c->AddTrigram(a, b, d);
        break;
      default:
        Traits<AbbreviationCounts>::Add(&c->abbreviations, r);
        break;
    }
  }
  static void Finish(PhraseCounts* c) { c->Flush(); }
};

template <>
struct Traits<CooccurrenceCounts> {
  static CooccurrenceCounts Make() {
    CooccurrenceCounts c;
    c.pairs = SortedPairCounts(SmallSortedOptions());
    c.spelling_contexts = SortedPairCounts(SmallSortedOptions());
    return c;
  }
  static void Add(CooccurrenceCounts* c, uint64_t r) {
    switch ((r >> 32) % 3) {
      case 0:
        Traits<SortedPairCounts>::Add(&c->pairs, r);
        break;
      case 1:
        Traits<SortedPairCounts>::Add(&c->spelling_contexts, r);
        break;
      default: {
        const size_t slot = r % 23;  // parts see different numbers of slots
        if (c->slot_case.size() <= slot) c->slot_case.resize(slot + 1);
        ++c->slot_case[slot].occurrences;
        c->slot_case[slot].capitalized += (r >> 8) % 2;
      }
    }
  }
  static void Finish(CooccurrenceCounts* c) {
    c->pairs.Flush();
    c->spelling_contexts.Flush();
  }
};

template <typename T>
class MergeableTest : public ::testing::Test {
 protected:
  // The random words of three parts, of different lengths; one stream when concatenated.
  void SetUp() override {
    std::mt19937_64 rng(GetParam());
    for (size_t i = 0; i < 3; ++i) {
      parts_[i].resize(50 + 400 * i);
      for (uint64_t& r : parts_[i]) r = rng();
    }
  }
  static uint64_t GetParam() { return 20261204; }

  // A state of the increments of the parts in `which`, in order.
  static T Build(const std::vector<const std::vector<uint64_t>*>& which) {
    T t = Traits<T>::Make();
    for (const auto* part : which) {
      for (uint64_t r : *part) Traits<T>::Add(&t, r);
    }
    Traits<T>::Finish(&t);
    return t;
  }
  T Part(size_t i) const { return Build({&parts_[i]}); }
  T Whole() const { return Build({&parts_[0], &parts_[1], &parts_[2]}); }
  static T Merged(T a, T b) {
    a.Merge(std::move(b));
    Traits<T>::Finish(&a);
    return a;
  }

  std::vector<uint64_t> parts_[3];
};

using CountTypes =
    ::testing::Types<CountTable, TermTable, KeyCountMap32, BasicKeyCountMap<uint64_t>, PairCountMap,
                     SortedPairCounts, CorpusTotals, AbbreviationCounts, PhraseCounts,
                     CooccurrenceCounts>;
TYPED_TEST_SUITE(MergeableTest, CountTypes);

TYPED_TEST(MergeableTest, IsMergeable) { static_assert(Mergeable<TypeParam>); }

TYPED_TEST(MergeableTest, TheTestDataIsNotTrivial) {
  // Otherwise every law below would hold of empty states.
  EXPECT_FALSE(this->Part(0) == TypeParam{});
  EXPECT_FALSE(this->Part(1) == this->Whole());
  EXPECT_FALSE(this->Part(1) == this->Part(2));
}

TYPED_TEST(MergeableTest, Associative) {
  using F = TestFixture;
  const TypeParam left = F::Merged(F::Merged(this->Part(0), this->Part(1)), this->Part(2));
  const TypeParam right = F::Merged(this->Part(0), F::Merged(this->Part(1), this->Part(2)));
  EXPECT_TRUE(left == right);
}

TYPED_TEST(MergeableTest, Commutative) {
  using F = TestFixture;
  EXPECT_TRUE(F::Merged(this->Part(0), this->Part(2)) == F::Merged(this->Part(2), this->Part(0)));
  EXPECT_FALSE(F::Merged(this->Part(0), this->Part(2)) == this->Part(2));
}

TYPED_TEST(MergeableTest, DefaultConstructedIsTheIdentity) {
  using F = TestFixture;
  EXPECT_TRUE(F::Merged(this->Part(1), TypeParam{}) == this->Part(1));
  EXPECT_TRUE(F::Merged(TypeParam{}, this->Part(1)) == this->Part(1));
  EXPECT_TRUE(F::Merged(TypeParam{}, TypeParam{}) == TypeParam{});
}

TYPED_TEST(MergeableTest, MergedPartsEqualOneCountOfTheWhole) {
  using F = TestFixture;
  const TypeParam whole = this->Whole();
  EXPECT_TRUE(F::Merged(F::Merged(this->Part(2), this->Part(0)), this->Part(1)) == whole);
  for (int threads : {1, 2, 3}) {
    TypeParam a = this->Part(0), b = this->Part(1), c = this->Part(2);
    const TypeParam sum = MergeAll(std::vector<TypeParam*>{&c, &a, &b}, threads);
    EXPECT_TRUE(sum == whole) << threads << " threads";
  }
}

TYPED_TEST(MergeableTest, MergeAllOfOneOrNoPartsIsThatPartOrEmpty) {
  TypeParam a = this->Part(1);
  EXPECT_TRUE(MergeAll(std::vector<TypeParam*>{&a}) == this->Part(1));
  EXPECT_TRUE(MergeAll(std::vector<TypeParam*>{}) == TypeParam{});
}

}  // namespace
}  // namespace nightjar
