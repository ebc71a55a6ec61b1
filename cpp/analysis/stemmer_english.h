// stemmer_english.h: Snowball's English stemmer ("porter2"), our own C++
// rendering of the algorithm (snowballstem.org/algorithms/english, english.sbl
// as shipped in Snowball 3.1), matching PyStemmer 3.1.0 byte for byte.
//
// Snowball 3 departs from the classic porter2 description in a few places,
// all followed here: R1 also ends after the prefixes past, univers, later,
// emerg, organ and (3.1) inter, besides gener, commun and arsen; a stem
// ending in "past" counts as a short syllable (pasted -> paste); Step 2 maps
// -ogist to -og; Step 1b keeps a double after a lone a, e or o (added -> add)
// and leaves "evening" whole; the dying/lying/tying exceptions became a Step 1b
// rule (one non-vowel + "ying" -> "ie": vying -> vie, dyings -> die), as did
// inning/outing/... and proceed/exceed/succeed (now also their -ly forms).
//
// Like Snowball compiled for UTF-8, it works on code points: the vowels are
// a e i o u y, and every other code point (any script, digits, marks) is a
// non-vowel; R1, R2 and the length conditions count code points. It works on
// the UTF-8 bytes in place: every rewrite touches only an ASCII suffix, so
// byte offsets order the same way code point offsets do.
//
// Contract: `word` should be valid UTF-8 (a case-folded token); other bytes
// are handled without undefined behaviour (a byte that is not a UTF-8
// continuation byte starts a character). The stem is never longer than the
// word.
//
// Thread safety: a pure function working in place, no shared state; safe
// from any thread. It allocates nothing.
#pragma once

#include <string>

namespace tomes::analysis {

// Replaces `word` by its stem under Snowball's English (porter2) algorithm,
// exactly as Snowball/PyStemmer 3.1.0 computes it.
// REQUIRES: word is valid UTF-8 (a case-folded token); any input is handled without UB.
// Thread safety: pure function, safe from any thread.
void stem_english(std::string& word);

}  // namespace tomes::analysis
