// text_decode.h: a book's bytes -> its text as valid UTF-8, exactly as Python
// decodes it (SPEC 2).
//
//   starts with EF BB BF   the BOM is dropped, the rest decoded as UTF-8
//   starts with FF FE      bytes.decode("utf-16", "replace"): little-endian,
//   starts with FE FF        big-endian; the BOM is dropped
//   anything else          by the encoding asked for (TextEncoding):
//     kUtf8 (the default)  bytes.decode("utf-8", "replace")
//     kAuto                bytes.decode("utf-8") when that succeeds, else
//                          bytes.decode("cp1252", "replace")
//     kLatin1              bytes.decode("latin-1"): byte b -> U+00bb
//     kCp1252              bytes.decode("cp1252", "replace"): Latin-1 but for
//                          0x80-0x9F, typographic marks; the five bytes
//                          Windows-1252 leaves undefined (81 8D 8F 90 9D)
//                          -> U+FFFD
//
// A BOM wins over every encoding: it is the file's own statement of how it
// is encoded, and "\xEF\xBB\xBF" or "\xFF\xFE" at offset 0 are no plausible
// start of Latin-1 prose. Older Project Gutenberg books are Latin-1 or
// Windows-1252 without a BOM: kAuto reads them right and reads UTF-8 books
// as UTF-8 (Windows-1252 text is almost never valid UTF-8 by accident: an
// accented letter would have to be followed by one or two symbols from
// 0x80-0xBF).
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
// pass and one copy, in every encoding but the single-byte ones (which
// validate only when asked for invalid_utf8).
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes::parse {

// How bytes without a BOM are read (see the table above).
enum class TextEncoding { kUtf8, kAuto, kLatin1, kCp1252 };

// The encoding a name stands for: "utf-8", "auto", "latin-1", "cp1252" (the
// names text_encoding_name gives) or an alias ("utf8", "latin1",
// "iso-8859-1", "windows-1252"), in any case, "_" for "-". InvalidArgument
// naming the accepted names otherwise.
Result<TextEncoding> parse_text_encoding(std::string_view name);

// The canonical name of an encoding: "utf-8", "auto", "latin-1" or "cp1252".
const char* text_encoding_name(TextEncoding encoding);

// The text of a book's bytes, always valid UTF-8. *invalid_utf8 (if given)
// is set to whether the bytes the encoding applied to (after a UTF-8 BOM, if
// any) are not valid UTF-8, whatever the encoding: what tells a user to try
// kAuto. False for UTF-16 books.
std::string decode_text(std::string_view bytes, TextEncoding encoding = TextEncoding::kUtf8,
                        bool* invalid_utf8 = nullptr);

}  // namespace tomes::parse
