// utf8_oracle.h: UTF-8 encoding written out for the tests, not shared with
// the core, so that a bug in cpp/common/utf8.h cannot hide in its oracle.
#pragma once

#include <string>

namespace tomes::test {

// The UTF-8 bytes of cp, surrogates included (as "surrogatepass" writes them).
inline std::string encode(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18));
    s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

}  // namespace tomes::test
