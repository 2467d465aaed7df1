#include "lexicon/function_words.h"

#include <algorithm>
#include <cmath>

namespace nightjar {

const std::vector<std::string_view>& DefaultFunctionWords(std::string_view language) {
  // English closed-class words and their contractions, written for this list.
  static const std::vector<std::string_view> kEnglish = {
      // articles, determiners, quantifiers
      "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "no",
      "all", "both", "either", "neither", "another", "such", "what", "which", "whose", "much",
      "many", "more", "most", "few", "less", "least", "several", "enough", "own", "other",
      // pronouns
      "i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "yourselves", "he",
      "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "we", "us",
      "our", "ours", "ourselves", "they", "them", "their", "theirs", "themselves", "who", "whom",
      "one", "anyone", "anything", "everyone", "everything", "someone", "something", "nobody",
      "nothing", "somebody", "anybody", "everybody",
      // auxiliaries and modals
      "be", "am", "is", "are", "was", "were", "been", "being", "have", "has", "had", "having", "do",
      "does", "did", "doing", "done", "will", "would", "shall", "should", "can", "could", "may",
      "might", "must", "ought",
      // contractions
      "i'm", "i've", "i'd", "i'll", "you're", "you've", "you'd", "you'll", "he's", "he'd", "he'll",
      "she's", "she'd", "she'll", "it's", "it'd", "it'll", "we're", "we've", "we'd", "we'll",
      "they're", "they've", "they'd", "they'll", "that's", "there's", "here's", "what's", "who's",
      "let's", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "haven't",
      "hasn't", "hadn't", "won't", "wouldn't", "can't", "cannot", "couldn't", "shouldn't",
      "mustn't", "mightn't", "shan't",
      // prepositions
      "about", "above", "across", "after", "against", "along", "among", "around", "at", "before",
      "behind", "below", "beneath", "beside", "besides", "between", "beyond", "by", "despite",
      "down", "during", "except", "for", "from", "in", "inside", "into", "near", "of", "off", "on",
      "onto", "out", "outside", "over", "past", "per", "since", "than", "through", "throughout",
      "till", "to", "toward", "towards", "under", "underneath", "until", "up", "upon", "via",
      "with", "within", "without",
      // conjunctions and connectives
      "and", "or", "but", "nor", "so", "yet", "if", "unless", "because", "although", "though",
      "while", "whereas", "whether", "as", "when", "whenever", "where", "wherever", "why", "how",
      "however", "then", "thus", "therefore", "hence", "also", "too",
      // conjunctive adverbs: they join clauses, as "however" and "therefore" do
      "further", "furthermore", "moreover", "otherwise", "meanwhile", "nevertheless", "nonetheless",
      "accordingly", "indeed", "likewise", "consequently", "anyway",
      // adverbs of degree, negation, place and time that only modify
      "not", "very", "just", "only", "even", "still", "already", "quite", "rather", "almost",
      "here", "there", "now", "again", "ever", "never", "always", "often", "sometimes", "else",
      "once", "instead", "perhaps", "maybe"};
  static const std::vector<std::string_view> kNone;
  return language == "en" || language.starts_with("en_") ? kEnglish : kNone;
}

bool SpreadLikeAFunctionWord(uint64_t frequency, uint64_t doc_frequency, uint64_t documents,
                             const FunctionWordOptions& options) {
  if (documents == 0 || doc_frequency == 0) return false;
  const auto n = static_cast<double>(documents);
  if (static_cast<double>(doc_frequency) < options.min_doc_share * n) return false;
  // Documents a word would reach if each of its occurrences fell on one at random.
  const double expected = n * (1.0 - std::exp(-static_cast<double>(frequency) / n));
  return static_cast<double>(doc_frequency) >= options.min_spread * expected;
}

absl::flat_hash_set<std::string> FunctionWords(const Vocabulary& vocab, uint64_t documents,
                                               std::string_view language,
                                               const FunctionWordOptions& options) {
  absl::flat_hash_set<std::string> out;
  for (std::string_view w : DefaultFunctionWords(language)) out.emplace(w);
  for (const std::string& w : options.extra) out.insert(w);
  if (documents < options.min_documents) return out;
  // Ids are frequency ranks: a word in min_doc_share of the documents is among the first.
  for (uint32_t id = 0; id < vocab.size(); ++id) {
    const TermStats& s = vocab.stats(id);
    if (static_cast<double>(s.frequency) < options.min_doc_share * static_cast<double>(documents)) {
      break;
    }
    const std::string_view w = vocab.term(id);
    const auto chars = static_cast<int>(std::count_if(
        w.begin(), w.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    if (chars <= options.max_chars &&
        SpreadLikeAFunctionWord(s.frequency, s.doc_frequency, documents, options)) {
      out.emplace(vocab.term(id));
    }
  }
  return out;
}

}  // namespace nightjar
