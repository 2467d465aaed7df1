// Each miner on small hand-made counts with known answers.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "count/phrase_counter.h"
#include "count/term_table.h"
#include "count/vocabulary.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lexicon/acronyms.h"
#include "lexicon/corrector.h"
#include "lexicon/delete_index.h"
#include "lexicon/lexicon_builder.h"
#include "lexicon/phrases.h"
#include "lexicon/variants.h"
#include "text/dictionary.h"
#include "text/edit_distance.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

TermTable Terms(const std::vector<std::pair<std::string, uint64_t>>& rows) {
  TermTable t;
  for (const auto& [w, f] : rows) t.Add(w, TermStats{f, f});
  return t;
}

TEST(DeleteIndex, FindsEveryWordWithinTheDistance) {
  std::vector<std::string> words = {"search", "research", "sear", "starch", "march", "the"};
  DeleteIndex index({words.begin(), words.end()}, 2);
  std::vector<std::string> found;
  for (const auto& m : index.Lookup("serch", 2)) found.emplace_back(index.word(m.id));
  EXPECT_EQ(found, (std::vector<std::string>{"search", "starch", "march"}));  // not "sear" (3)
  auto one = index.Lookup("serch", 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(index.word(one[0].id), "search");
  EXPECT_EQ(one[0].distance, 1);
  EXPECT_TRUE(index.Lookup("search", 0).empty());  // the term itself is not a match
}

TEST(DeleteIndex, MatchesBruteForceOnRandomWords) {
  // A three-letter alphabet gives many repeated letters and shared deletes: the cases where
  // generating each deletion set once (and skipping equal neighbours) could lose a match.
  std::mt19937 rng(17);
  auto word = [&] {
    std::string w(1 + rng() % 9, 'a');
    for (char& c : w) c = static_cast<char>('a' + rng() % 3);
    return w;
  };
  std::vector<std::string> words;
  for (int i = 0; i < 400; ++i) words.push_back(word());
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  // Also with short words held to distance 1 (filed under fewer deletes) and with a lower limit
  // for words whose first letter differs from the term's.
  for (int max : {1, 2}) {
    for (int short_chars : {0, 4}) {
      const DeleteIndex index({words.begin(), words.end()}, max, 2, short_chars);
      for (int q = 0; q < 300; ++q) {
        const std::string term = word();
        const std::u32string t = DecodeUtf8(term);
        for (int first_differs : {max, 1, 0}) {
          std::vector<std::pair<uint32_t, int>> want, got;
          for (uint32_t id = 0; id < words.size(); ++id) {
            const std::u32string w = DecodeUtf8(words[id]);
            int limit = static_cast<int>(w.size()) <= short_chars ? std::min(max, 1) : max;
            if (w[0] != t[0]) limit = std::min(limit, first_differs);
            const int d = EditDistance(t, w, max);
            if (d > 0 && d <= limit) want.emplace_back(id, d);
          }
          for (const auto& m : index.Lookup(term, max, UINT32_MAX, first_differs)) {
            got.emplace_back(m.id, m.distance);
          }
          ASSERT_EQ(got, want) << term << " at distance " << max << ", short words up to "
                               << short_chars << ", first letter differing " << first_differs;
        }
      }
    }
  }
}

TEST(Variants, InflectionsAreNotMisspellings) {
  EXPECT_TRUE(IsInflection("search", "searches"));
  EXPECT_TRUE(IsInflection("walked", "walk"));
  EXPECT_TRUE(IsInflection("dog", "dog's"));
  EXPECT_FALSE(IsInflection("serch", "search"));
  EXPECT_TRUE(IsInflection("class", "classes"));
  EXPECT_TRUE(IsInflection("used", "use"));
  // A letter dropped from a word ending in ss or ld is not a stem.
  EXPECT_FALSE(IsInflection("acces", "access"));
  EXPECT_FALSE(IsInflection("woul", "would"));
  EXPECT_FALSE(IsInflection("glass", "glas"));
}

class VariantMining : public ::testing::Test {
 protected:
  TermTable terms_ = Terms({{"the", 100000},
                            {"search", 5000},
                            {"from", 4000},
                            {"form", 900},  // a real word next to a frequent one
                            {"searches", 200},
                            {"serch", 3},   // a typo
                            {"seatch", 2},  // a typo by a neighbouring key
                            {"qzx", 2}});
  Vocabulary vocab_{terms_, 1};
  VariantOptions options_;

  std::vector<VariantCandidate> Candidates() {
    std::vector<std::string_view> words;
    for (uint32_t i = 0; i < vocab_.CountAtLeast(options_.word_min_frequency); ++i) {
      words.push_back(vocab_.term(i));
    }
    DeleteIndex index(std::move(words), options_.max_distance);
    return FindVariantCandidates(vocab_, index, options_);
  }
};

TEST_F(VariantMining, CandidatesRespectRatioInflectionAndCost) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& c : Candidates()) {
    pairs.emplace_back(vocab_.term(c.variant), vocab_.term(c.word));
  }
  // "form" is too common to be a misspelling of "from" (900 * 20 > 4000); "searches" is an
  // inflection; "qzx" is near nothing.
  EXPECT_EQ(pairs, (std::vector<std::pair<std::string, std::string>>{{"serch", "search"},
                                                                     {"seatch", "search"}}));
}

// The variants mined from `vocab` as "variant>word", sorted: candidates, the choice with every
// context agreeing `context`, then the dictionary's drop.
std::vector<std::string> MinedVariants(const Vocabulary& vocab, const VariantOptions& options,
                                       double context) {
  std::vector<std::string_view> words;
  for (uint32_t i = 0; i < vocab.CountAtLeast(options.word_min_frequency); ++i) {
    words.push_back(vocab.term(i));
  }
  DeleteIndex index(std::move(words), options.max_distance);
  auto variants = ChooseVariants(
      vocab, FindVariantCandidates(vocab, index, options),
      [&](uint32_t, uint32_t) { return context; }, options);
  DropKnownVariants(vocab, options, 1, &variants);
  std::vector<std::string> out;
  for (const Variant& v : variants) {
    out.push_back(std::string(vocab.term(v.variant)) + ">" + std::string(vocab.term(v.word)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FrequentMisspellings, OneLikelyEditFromAKnownWordWithSharedContexts) {
  TermTable terms = Terms({{"the", 100000},
                           {"atheist", 40},
                           {"athiest", 8},  // a transposition, a fifth as frequent
                           {"referring", 90},
                           {"refering", 20},  // a dropped doubled letter
                           {"garden", 60},
                           {"gardxn", 12},  // one plain edit: not a likely one
                           {"reform", 10},
                           {"refrom", 1},  // seen once: min_ratio holds
                           {"brand", 50},
                           {"brnad", 10}});  // under six characters
  Vocabulary vocab(terms, 1);
  VariantOptions options;
  auto dictionary = Dictionary::Open({});
  ASSERT_TRUE(dictionary.ok()) << dictionary.status();
  options.dictionary = std::move(dictionary).value();
  auto mined = [&](double context) { return MinedVariants(vocab, options, context); };
  EXPECT_EQ(mined(0.6), (std::vector<std::string>{"athiest>atheist", "refering>referring"}));
  EXPECT_TRUE(mined(0.3).empty());  // contexts that agree too little for so frequent a token
  options.dictionary_min_ratio = options.min_ratio;  // the rule off
  EXPECT_TRUE(mined(0.6).empty());
}

TEST(VariantRules, ADictionaryDecidesWhetherAStemIsAWord) {
  TermTable terms = Terms({{"the", 100000},
                           {"companies", 500},
                           {"companie", 2},  // "companies" with its last letter dropped
                           {"kubectl", 400},
                           {"kubectls", 3},  // a frequent word plus a suffix (no dictionary word)
                           {"baked", 300},
                           {"bake", 2}});  // a real stem
  Vocabulary vocab(terms, 1);
  auto pairs = [&](const VariantOptions& options) { return MinedVariants(vocab, options, 0.6); };
  VariantOptions options;
  EXPECT_TRUE(pairs(options).empty());  // without a dictionary a suffix alone rules them out
  auto dictionary = Dictionary::Open({});
  ASSERT_TRUE(dictionary.ok()) << dictionary.status();
  options.dictionary = std::move(dictionary).value();
  // "bake" is a word the dictionary knows; "kubectls" is "kubectl" plus a suffix.
  EXPECT_EQ(pairs(options), (std::vector<std::string>{"companie>companies"}));
}

TEST(VariantRules, RepeatedTokensAndShortTokensNeedMore) {
  TermTable terms;
  terms.Add("the", TermStats{100000, 9000});
  terms.Add("for", TermStats{50000, 8000});
  terms.Add("from", TermStats{20000, 6000});
  terms.Add("teh", TermStats{9, 9});    // a slip, scattered
  terms.Add("thx", TermStats{12, 11});  // an ordinary substitution in three letters
  terms.Add("fom", TermStats{4, 4});    // a dropped letter in three
  terms.Add("fro", TermStats{30, 5});   // six times a document: a word of its documents
  terms.Add("frm", TermStats{5, 1});    // repeated, but too few to tell
  Vocabulary vocab(terms, 1);
  VariantOptions options;
  std::vector<std::string_view> words;
  for (uint32_t i = 0; i < vocab.CountAtLeast(options.word_min_frequency); ++i) {
    words.push_back(vocab.term(i));
  }
  DeleteIndex index(std::move(words), options.max_distance);
  std::vector<std::string> found;
  for (const auto& c : FindVariantCandidates(vocab, index, options)) {
    found.push_back(std::string(vocab.term(c.variant)) + ">" + std::string(vocab.term(c.word)));
  }
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::string>{"fom>from", "frm>from", "teh>the"}));
}

TEST(VariantMiningThreads, SameCandidatesForAnyThreadCount) {
  // 3000 frequent made-up words and a typo of each: three 1024-id slices and more.
  std::mt19937 rng(5);
  TermTable terms;
  for (int i = 0; i < 3000; ++i) {
    std::string w;
    for (int c = 0; c < 7; ++c) w.push_back(static_cast<char>('a' + rng() % 26));
    terms.Add(w, TermStats{1000 + rng() % 1000, 100});
    std::swap(w[2], w[3]);
    terms.Add(w, TermStats{2, 2});
  }
  const Vocabulary vocab(terms, 1);
  VariantOptions options;
  options.min_common_count = 5;
  std::vector<std::string_view> words;
  for (uint32_t i = 0; i < vocab.CountAtLeast(options.word_min_frequency); ++i) {
    words.push_back(vocab.term(i));
  }
  const DeleteIndex one(words, options.max_distance, 1), three(words, options.max_distance, 3);
  const auto serial = FindVariantCandidates(vocab, one, options, 1);
  const auto parallel = FindVariantCandidates(vocab, three, options, 3);
  ASSERT_GT(serial.size(), 2500u);
  ASSERT_EQ(serial.size(), parallel.size());
  for (size_t i = 0; i < serial.size(); ++i) {
    EXPECT_EQ(serial[i].variant, parallel[i].variant);
    EXPECT_EQ(serial[i].word, parallel[i].word);
    EXPECT_EQ(serial[i].typing_cost, parallel[i].typing_cost);
  }
}

TEST(VariantRules, NamesAndAcronymsAreNotMisspellingsOfLowercaseWords) {
  const VariantOptions options;  // name_share 0.8, name_min_count 3
  const CaseCounts able{1000, 60};
  EXPECT_TRUE(WrittenAsName({34, 33}, able, options));       // "Abel" next to "able"
  EXPECT_TRUE(WrittenAsName({10, 8}, able, options));        // exactly the share
  EXPECT_FALSE(WrittenAsName({10, 7}, able, options));       // often lowercase: may be a typo
  EXPECT_FALSE(WrittenAsName({2, 2}, able, options));        // too few to tell
  EXPECT_FALSE(WrittenAsName({5, 5}, {900, 880}, options));  // "Mircosoft" / "Microsoft"
  VariantOptions off;
  off.name_share = 2;
  EXPECT_FALSE(WrittenAsName({34, 34}, able, off));
}

TEST(Expansions, RelatedTermsNeedContextualSupport) {
  RelatedEntry r;
  r.term = "learning";
  r.related = {{"earning", 0.55f}, {"learn", 0.55f}, {"www", 0.4f}, {"weak", 0.3f}};
  r.distributional = {0.2f, 0.4f, 0.8f, 0.3f};
  const std::vector<Expansion> e = RelatedExpansions(r, ExpansionOptions{});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].term, "www");  // a distributional neighbour keeps its cosine as its score
  EXPECT_FLOAT_EQ(static_cast<float>(e[0].score), 0.8f);
  EXPECT_EQ(e[1].term, "learn");  // "earning" is only a look-alike: cosine 0.2 < 0.35
  EXPECT_FLOAT_EQ(static_cast<float>(e[1].score), 0.55f);
}

TEST(VariantRules, CommonWordsFirstLettersAndProtectedWords) {
  // 1M tokens: "them" is 40x rarer than "the" but at 2500 per million it is a word; "band" is a
  // first-letter insertion into "and" (cost 1.0 + 0.5 > 1.0); "abort" is a dictionary word.
  TermTable terms = Terms({{"the", 100000},
                           {"and", 60000},
                           {"about", 20000},
                           {"them", 2500},
                           {"band", 10},
                           {"abort", 8},
                           {"teh", 9},
                           {"filler", 807473}});
  Vocabulary vocab(terms, 1);
  VariantOptions options;
  auto pairs = [&] {
    std::vector<std::string_view> words;
    for (uint32_t i = 0; i < vocab.CountAtLeast(options.word_min_frequency); ++i) {
      words.push_back(vocab.term(i));
    }
    DeleteIndex index(std::move(words), options.max_distance);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& c : FindVariantCandidates(vocab, index, options)) {
      out.emplace_back(vocab.term(c.variant), vocab.term(c.word));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(pairs(), (Pairs{{"abort", "about"}, {"teh", "the"}}));
  options.first_letter_cost = 0;
  options.max_variant_per_million = 1e6;
  EXPECT_EQ(pairs(), (Pairs{{"abort", "about"}, {"band", "and"}, {"teh", "the"}, {"them", "the"}}));

  TempDir dir;
  options.protected_words_file = dir.Write("words", "Abort\nabout\nnot one\n");
  ASSERT_TRUE(LoadProtectedWords(TokenizerOptions{}, &options).ok());
  EXPECT_EQ(options.protected_words->size(), 2u);  // folded; the two-token line is skipped
  EXPECT_EQ(pairs(), (Pairs{{"band", "and"}, {"teh", "the"}, {"them", "the"}}));
  options.protected_words_file = dir.Sub("missing");
  auto st = LoadProtectedWords(TokenizerOptions{}, &options);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("variants.protected_words_file"));

  // The language's dictionary: "band" and "them" are English words, "teh" is not.
  options.protected_words = nullptr;
  LexiconOptions lexicons;
  ASSERT_TRUE(LoadDictionary(&lexicons).ok());
  options.dictionary = lexicons.variants.dictionary;
  ASSERT_NE(options.dictionary, nullptr);
  std::vector<Variant> chosen;
  for (const auto& [variant, word] : pairs()) {
    chosen.push_back(Variant{vocab.Find(variant), vocab.Find(word), 1.0});
  }
  for (int threads : {1, 2}) {
    std::vector<Variant> v = chosen;
    DropKnownVariants(vocab, options, threads, &v);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(vocab.term(v[0].variant), "teh");
  }
  lexicons.language = "none";
  ASSERT_TRUE(LoadDictionary(&lexicons).ok());
  EXPECT_EQ(lexicons.variants.dictionary, nullptr);
  lexicons.language = "xx_NOPE";
  st = LoadDictionary(&lexicons);
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("text.language xx_NOPE"));
}

TEST_F(VariantMining, ContextEvidenceDecides) {
  auto candidates = Candidates();
  // With contexts shared, both typos are taken; with unrelated contexts, neither.
  auto shared = ChooseVariants(
      vocab_, candidates, [](uint32_t, uint32_t) { return 0.6; }, options_);
  EXPECT_EQ(shared.size(), 2u);
  auto unrelated = ChooseVariants(
      vocab_, candidates, [](uint32_t, uint32_t) { return -0.2; }, options_);
  EXPECT_TRUE(unrelated.empty());
  for (const auto& v : shared) {
    EXPECT_EQ(vocab_.term(v.word), "search");
    EXPECT_GT(v.score, 0.0);
    EXPECT_LE(v.score, 1.0);
  }
}

TEST(Phrases, NpmiKeepsCollocationsAndDropsChancePairs) {
  // 10000 tokens: "new york" always together; "big" and "house" common but rarely adjacent.
  TermTable terms = Terms(
      {{"new", 120}, {"york", 100}, {"big", 300}, {"house", 300}, {"the", 100}, {"filler", 9080}});
  Vocabulary vocab(terms, 1);
  PhraseCounts counts(vocab.size());
  const uint32_t n = vocab.Find("new"), y = vocab.Find("york"), b = vocab.Find("big"),
                 h = vocab.Find("house");
  counts.bigrams.Add(BigramKey(n, y), 100);
  counts.bigrams.Add(BigramKey(b, h), 9);
  counts.bigrams.Add(BigramKey(y, b), 3);  // below min_count
  // Connector pairs are counted for correction in context, never phrases.
  counts.bigrams.Add(BigramKey(vocab.Find("the"), n), 90);
  PhraseSet set(vocab, counts, PhraseOptions{});
  ASSERT_EQ(set.phrases().size(), 1u);
  EXPECT_EQ(set.phrases()[0].text, "new york");
  EXPECT_GT(set.phrases()[0].score, 0.5);
  EXPECT_EQ(set.FindBigram(n, y), 0);
  EXPECT_EQ(set.FindBigram(b, h), -1);
}

TEST(Phrases, TrigramsNeedBothSplitsOrAConnector) {
  TermTable terms = Terms({{"bank", 50}, {"of", 3000}, {"america", 40}, {"filler", 6910}});
  Vocabulary vocab(terms, 1);
  PhraseCounts counts(vocab.size());
  for (int i = 0; i < 30; ++i) {
    counts.AddTrigram(vocab.Find("bank"), vocab.Find("of"), vocab.Find("america"));
  }
  counts.Flush();
  PhraseSet set(vocab, counts, PhraseOptions{});
  ASSERT_EQ(set.phrases().size(), 1u);
  EXPECT_EQ(set.phrases()[0].text, "bank of america");
}

TEST(Acronyms, ConfidenceIsAgreementAndRareReadingsDrop) {
  PhraseCounts counts;
  counts.abbreviations.Add("ML\x1fmachine learning", 40);
  counts.abbreviations.Add("ML\x1fmaximum likelihood", 9);
  counts.abbreviations.Add("ML\x1fmeta language", 1);  // below min_count
  counts.abbreviations.Add("IR\x1finformation retrieval", 3);
  auto out = MineAcronyms(counts, AcronymOptions{});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].short_form, "ML");
  EXPECT_EQ(out[0].long_form, "machine learning");
  EXPECT_NEAR(out[0].confidence, 40.0 / 51, 1e-9);
  EXPECT_EQ(out[1].short_form, "IR");  // 3/4 = 0.75; maximum likelihood 9/51 < 0.3
}

TEST(Corrector, VariantMapThenEditsRankedByFrequencyAndTypingCost) {
  SpellCorrector c({{"search", 5000}, {"starch", 4000}, {"the", 90000}, {"rare", 2}},
                   {{"serhc", {"search", 0.9}}}, CorrectorOptions{});
  EXPECT_EQ(c.Correct("serhc").text, "search");
  EXPECT_EQ(c.Correct("serhc").how, "variant");
  EXPECT_EQ(c.Correct("the").how, "known");
  // "seatch": one neighbouring-key slip from "search", two edits from "starch".
  auto r = c.Correct("seatch");
  EXPECT_EQ(r.text, "search");
  EXPECT_EQ(r.how, "edit");
  EXPECT_GT(r.score, 0.5);
  EXPECT_EQ(c.Correct("rare").how, "known");  // a known word stays, however rare
  EXPECT_EQ(c.Correct("zzzzqqq").how, "unknown");
}

TEST(Corrector, BeyondTwoEditsBySound) {
  const std::vector<std::pair<std::string, uint64_t>> words = {
      {"necessary", 300}, {"nursery", 900}, {"neces", 5}};
  const SpellCorrector c(words, {}, CorrectorOptions{});
  auto r = c.Correct("nescesarry");  // three edits from "necessary"; it sounds the same
  EXPECT_EQ(r.text, "necessary");
  EXPECT_EQ(r.how, "phonetic");
  EXPECT_EQ(c.Correct("qqqqqq").how, "unknown");  // no word sounds like it
  CorrectorOptions off;
  off.max_phonetic_distance = 0;
  EXPECT_EQ(SpellCorrector(words, {}, off).Correct("nescesarry").how, "unknown");
  CorrectorOptions near;
  near.max_phonetic_distance = 2;  // too far for two edits
  EXPECT_EQ(SpellCorrector(words, {}, near).Correct("nescesarry").how, "unknown");
}

TEST(Corrector, OneEditBeatsAFrequentTwoEditWordUnlessFarLikelier) {
  // "detemines" is one insertion from "determines", two edits from the more frequent
  // "determined".
  const std::vector<std::pair<std::string, uint64_t>> words = {{"determines", 40},
                                                               {"determined", 400}};
  CorrectorOptions model_only;
  model_only.second_edit_margin = 0;
  EXPECT_EQ(SpellCorrector(words, {}, model_only).Correct("detemines").text, "determined");
  EXPECT_EQ(SpellCorrector(words, {}, CorrectorOptions{}).Correct("detemines").text, "determines");
  // Without a one-edit word, two edits are ranked as before.
  EXPECT_EQ(SpellCorrector({{"determined", 400}}, {}, CorrectorOptions{}).Correct("detemines").text,
            "determined");
}

}  // namespace
}  // namespace nightjar
