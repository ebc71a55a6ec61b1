// text_decode.h: a book's bytes -> its text as valid UTF-8, exactly as Python
// decodes it (SPEC 2).
//
//   starts with EF BB BF   the BOM is dropped, the rest decoded as UTF-8
//   starts with FF FE      bytes.decode("utf-16", "replace"): little-endian,
//   starts with FE FF        big-endian; the BOM is dropped
//   anything else          bytes.decode("utf-8", "replace")
//
// UTF-8 "replace" turns each maximal subpart of an ill-formed sequence into
// one U+FFFD (Unicode's "best practice", which CPython follows): a lead byte
// and the continuation bytes that could still have completed it. So
// "\xE2\x82" -> one U+FFFD, "\xE0\x80" (0x80 cannot follow E0) -> two,
// "\xED\xA0\x80" (a surrogate) -> three, "\xF4\x90\x80\x80" (> U+10FFFF) -> four,
// "\xC0\xAF" (overlong) -> two.
//
// UTF-16 "replace", as CPython's decoder: a lone low surrogate -> U+FFFD; a
// high surrogate not followed by a low one -> U+FFFD, and the unit after it
// is decoded afresh; a high surrogate in the last two or three bytes -> one
// U+FFFD for all of them; a final odd byte -> U+FFFD.
//
// Only a BOM at offset 0 counts (a later U+FEFF is text). No newline
// translation. Valid UTF-8 without a BOM (most books) costs one validation
// pass and one copy.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace tomes::parse {

// The text of a book's bytes, always valid UTF-8.
std::string decode_text(std::string_view bytes);

}  // namespace tomes::parse
