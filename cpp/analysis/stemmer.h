// stemmer.h: the stemmers SPEC 3 step 4 offers, chosen by name.
//
// Each stemmer is a pure function on one case-folded token in UTF-8 and
// equals PyStemmer 3.1.0 (Snowball 3) on every input: stemmer_english.h,
// stemmer_portuguese.h.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes::analysis {

enum class Stemmer { kNone, kEnglish, kPortuguese };

// Names accepted by parse_stemmer, for error messages.
inline constexpr const char* kStemmerNames = "'english', 'portuguese'";

// "english" or "portuguese"; anything else is InvalidArgument naming those.
Result<Stemmer> parse_stemmer(std::string_view name);

// The name parse_stemmer accepts for it; "" for kNone.
const char* stemmer_name(Stemmer stemmer);

// Replaces word by its stem. REQUIRES: word is valid UTF-8.
void stem(Stemmer stemmer, std::string& word);

}  // namespace tomes::analysis
