// html_char_refs.h: HTML character references ("&amp;", "&#233;", "&#xE9;",
// "&eacute") decoded exactly as Python's html.unescape decodes them (SPEC 2).
//
// At an '&' (html.unescape's rules, restated):
//   "&#" digits [";"]        decimal  } the value v, then:
//   "&#x" hexdigits [";"]    hex      }   v == 0                -> U+FFFD
//     (x or X; every digit is consumed,   v == 0x0D             -> U+000D
//     however many)                       0x80 <= v <= 0x9F     -> Windows-1252's
//                                           character for byte v (81 8D 8F 90 9D:
//                                           U+0081... themselves)
//                                         surrogate, > 0x10FFFF -> U+FFFD
//                                         1-8, B, E-1F, 7F, FDD0-FDEF, and
//                                           xFFFE/xFFFF of every plane -> nothing
//                                         else                  -> v itself
//   "&" name                 s = up to 32 characters other than TAB LF FF
//                            space < & # ;, then an optional ";"; if s is a
//                            name of the table (html_entities.h) -> its value;
//                            else the longest prefix of s, 2+ characters, that
//                            is a legacy name ("&notit;" -> "¬it;");
//                            else nothing is a reference: "&" stays text.
// Only ASCII letters and digits make up names, so s is searched only over
// its leading letters and digits. One deliberate difference: a decimal
// reference of more than 4300 digits makes Python 3.11+ raise ValueError
// (int()'s digit limit); here it is U+FFFD like any value over 0x10FFFF.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tomes::parse {

// If a reference starts at text[0] (which must be '&'), appends its value to
// *out and returns how many bytes it spans; else returns 0 and appends
// nothing (the '&' is text). REQUIRES: !text.empty() && text[0] == '&'.
std::size_t append_char_ref(std::string_view text, std::string* out);

// text with every reference decoded: html.unescape(text). Appends to *out.
void append_unescaped(std::string_view text, std::string* out);

}  // namespace tomes::parse
