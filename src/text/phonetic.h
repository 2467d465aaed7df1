#ifndef NIGHTJAR_TEXT_PHONETIC_H_
#define NIGHTJAR_TEXT_PHONETIC_H_

#include <string>
#include <string_view>

namespace nightjar {

// A phonetic key of an English word, as Aspell's "soundslike" uses one: Lawrence Philips'
// Metaphone (1990), with runs of the same code collapsed, so that spellings that sound alike
// share a key ("necessary", "nescesarry", "neccessary" -> "NSSR" ... "NSR"). Codes: consonant
// sounds B F H J K L M N P R S T W X (sh) Y 0 (th), and a vowel only as the first letter.
// Case-insensitive over ASCII letters; other characters are skipped. "" for a word with no
// letter. Pure function; thread-safe.
std::string PhoneticKey(std::string_view word);

}  // namespace nightjar

#endif  // NIGHTJAR_TEXT_PHONETIC_H_
