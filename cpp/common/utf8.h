// utf8.h: strict UTF-8 decoding and encoding, one code point at a time, for
// every stage that reads or writes text (analysis, parse, fst's fuzzy search,
// search's query parser, common's JSON). It lives in common/ because all of
// them use it and it depends on nothing.
//
// The decoder accepts exactly the well-formed sequences of Unicode's Table
// 3-7 (no overlongs, no surrogates, nothing above U+10FFFF). Anything else
// decodes as U+FFFD consuming one byte: since U+FFFD separates tokens, the
// tokens seen are those of Python's `bytes.decode("utf-8", "replace")` (and of
// a str with lone surrogates, which the binding passes as "surrogatepass").
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

namespace tomes::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

inline bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the code point starting at p into *cp and returns its byte length.
// REQUIRES: p < end.
inline std::size_t decode(const unsigned char* p, const unsigned char* end, char32_t* cp) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  const std::size_t avail = static_cast<std::size_t>(end - p);
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (avail >= 2 && is_continuation(p[1])) {
      *cp = (char32_t(b0 & 0x1F) << 6) | (p[1] & 0x3F);
      return 2;
    }
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail >= 3 && is_continuation(p[2])) {
      const unsigned char b1 = p[1];
      const bool second_ok = b0 == 0xE0   ? (b1 >= 0xA0 && b1 <= 0xBF)
                             : b0 == 0xED ? (b1 >= 0x80 && b1 <= 0x9F)
                                          : is_continuation(b1);
      if (second_ok) {
        *cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(b1 & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
      }
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail >= 4 && is_continuation(p[2]) && is_continuation(p[3])) {
      const unsigned char b1 = p[1];
      const bool second_ok = b0 == 0xF0   ? (b1 >= 0x90 && b1 <= 0xBF)
                             : b0 == 0xF4 ? (b1 >= 0x80 && b1 <= 0x8F)
                                          : is_continuation(b1);
      if (second_ok) {
        *cp = (char32_t(b0 & 0x07) << 18) | (char32_t(b1 & 0x3F) << 12) |
              (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
      }
    }
  }
  *cp = kReplacement;
  return 1;
}

// Appends the UTF-8 encoding of cp. REQUIRES: cp <= 0x10FFFF.
inline void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Number of code points in valid UTF-8: the bytes that are not continuations.
inline std::size_t count_code_points(const char* data, std::size_t size) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) n += !is_continuation(static_cast<unsigned char>(data[i]));
  return n;
}

}  // namespace tomes::utf8
