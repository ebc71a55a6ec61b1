// stemmer_portuguese.h: Snowball's Portuguese stemmer, our own C++ rendering
// of the algorithm (snowballstem.org/algorithms/portuguese, portuguese.sbl as
// shipped in Snowball 3.0/3.1), matching PyStemmer 3.1.0 byte for byte.
//
// Like Snowball compiled for UTF-8, it works on code points: the vowels are
// a e i o u á é í ó ú â ê ô and every other code point (any script, digits,
// combining marks, '~') is a non-vowel; the regions RV, R1 and R2 are counted
// in code points. A literal "a~" or "o~" in the input comes out as "ã" / "õ",
// exactly as Snowball's postlude does.
//
// Contract: `word` should be valid UTF-8 (a case-folded token); other bytes
// are still handled without undefined behaviour, decoded the way Snowball's
// runtime decodes them. The stem is never longer than the word.
//
// Thread safety: a pure function working in place, no shared state; safe
// from any thread. It allocates nothing.
#pragma once

#include <string>

namespace tomes::analysis {

// Replaces `word` by its stem under Snowball's Portuguese algorithm,
// exactly as Snowball/PyStemmer 3.1.0 computes it.
// REQUIRES: word is valid UTF-8 (a case-folded token); any input is handled without UB.
// Thread safety: pure function, safe from any thread.
void stem_portuguese(std::string& word);

}  // namespace tomes::analysis
