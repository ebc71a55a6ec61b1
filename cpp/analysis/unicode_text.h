// unicode_text.h: case folding and folding (SPEC 3 steps 2 and 5) of strings.
//
// Both walk the string one code point at a time through unicode_tables.h, so
// they equal Python's `s.casefold()` and the reference `fold(s)` exactly.
// Invalid UTF-8 bytes become U+FFFD in casefold and vanish in fold (U+FFFD is
// a symbol, not a letter or number).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace tomes::analysis {

// Appends casefold(text) to out.
void append_casefolded(std::string_view text, std::string& out);

// Appends fold(text) to out: NFKD, only L*/N* kept, æ œ ø ł đ ð þ ħ ı spelled out.
void append_folded(std::string_view text, std::string& out);

inline std::string casefold(std::string_view text) {
  std::string out;
  append_casefolded(text, out);
  return out;
}

inline std::string fold(std::string_view text) {
  std::string out;
  append_folded(text, out);
  return out;
}

}  // namespace tomes::analysis
