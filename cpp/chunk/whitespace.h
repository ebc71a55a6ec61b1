// whitespace.h: Python's str.isspace, on code points and on UTF-8 text.
//
// The data is whitespace_table.h, generated from Python 3.11's str.isspace
// by scripts/gen_whitespace_table.py (29 code points in Unicode 14.0.0).
// A UTF-8 reader looks at one byte first: ASCII decides at once, and only
// the few lead bytes that can start a non-ASCII space (C2 E1 E2 E3) cost a
// decode and a lookup.
//
// "Character" below is a code point of valid UTF-8. On other bytes the
// reader stays in bounds and deterministic: a character is a lead byte and
// the continuation bytes after it, at most as many as the lead byte asks for
// (so a surrogate written as Python's "surrogatepass" does, ED A0 80, is one
// non-space character), and any other byte is a character of its own.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "chunk/whitespace_table.h"

namespace tomes::chunk {

inline bool is_space(char32_t cp) {
  if (cp < 0x80) return whitespace::kByteClass[cp] == whitespace::kAsciiSpace;
  return std::binary_search(std::begin(whitespace::kSpaceCodePoints),
                            std::end(whitespace::kSpaceCodePoints), cp);
}

// The byte length of the character starting at p, and whether it is a space.
// REQUIRES: p < end.
inline std::size_t read_char(const unsigned char* p, const unsigned char* end, bool* space) {
  const unsigned char b0 = p[0];
  const std::uint8_t kind = whitespace::kByteClass[b0];
  if (kind <= whitespace::kAsciiSpace) {
    *space = kind == whitespace::kAsciiSpace;
    return 1;
  }
  *space = false;
  if (kind == whitespace::kContinuation || b0 >= 0xF8) return 1;
  const std::size_t want = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  const std::size_t avail = static_cast<std::size_t>(end - p);
  std::size_t length = 1;
  while (length < want && length < avail && (p[length] & 0xC0) == 0x80) ++length;
  if (kind == whitespace::kLeadMaybeSpace && length == want) {
    char32_t cp = b0 & (0x7F >> want);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (p[k] & 0x3F);
    *space = is_space(cp);
  }
  return length;
}

}  // namespace tomes::chunk
