#include "parse/html_char_refs.h"

#include <cstdint>
#include <cstring>

#include "common/utf8.h"
#include "parse/html_entities.h"

namespace tomes::parse {

namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_alnum(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

int hex_value(unsigned char c) {
  if (is_digit(c)) return c - '0';
  const unsigned char l = c | 0x20;
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// html.unescape's table for the C1 range: what Windows-1252 puts at byte
// 0x80 + i; the five bytes it leaves undefined stand for themselves.
constexpr char16_t kWindows1252C1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// The code points html.unescape drops when a numeric reference names them.
bool is_dropped_code_point(std::uint32_t v) {
  return (v >= 0x01 && v <= 0x08) || v == 0x0B || (v >= 0x0E && v <= 0x1F) || (v >= 0x7F && v <= 0x9F) ||
         (v >= 0xFDD0 && v <= 0xFDEF) || (v & 0xFFFE) == 0xFFFE;
}

// Appends what a numeric reference to v decodes to (v saturates at
// 0x110000: any value beyond Unicode means the same U+FFFD).
void append_numeric(std::uint32_t v, std::string* out) {
  if (v == 0) return utf8::append(*out, utf8::kReplacement);
  if (v >= 0x80 && v <= 0x9F) return utf8::append(*out, kWindows1252C1[v - 0x80]);
  if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return utf8::append(*out, utf8::kReplacement);
  if (is_dropped_code_point(v)) return;
  utf8::append(*out, v);
}

std::size_t numeric_ref(std::string_view t, std::string* out) {
  // t starts with "&#".
  const bool hex = t.size() > 2 && (t[2] == 'x' || t[2] == 'X');
  std::size_t i = hex ? 3 : 2;
  const std::size_t first = i;
  constexpr std::uint32_t kBeyond = 0x110000;
  std::uint32_t v = 0;
  for (; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    const int d = hex ? hex_value(c) : (is_digit(c) ? c - '0' : -1);
    if (d < 0) break;
    v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    if (v > kBeyond) v = kBeyond;
  }
  if (i == first) return 0;  // "&#" or "&#x" with no digit: text
  if (i < t.size() && t[i] == ';') ++i;
  append_numeric(v, out);
  return i;
}

std::size_t named_ref(std::string_view t, std::string* out) {
  std::size_t run = 1;
  const std::size_t limit = std::min(t.size(), std::size_t{1} + html_entities::kMaxEntityNameLength + 1);
  while (run < limit && is_alnum(static_cast<unsigned char>(t[run]))) ++run;
  const std::size_t letters = run - 1;
  if (letters == 0) return 0;
  std::string_view value;
  // The whole of s: the letters and their semicolon, or the letters alone
  // when s ends with them (a legacy name).
  if (run < t.size() && t[run] == ';' && letters + 1 <= html_entities::kMaxEntityNameLength &&
      html_entities::find(t.substr(1, letters + 1), &value)) {
    out->append(value);
    return run + 1;
  }
  // The longest legacy name among the prefixes (the whole run included: when
  // s goes on past it, the run is a proper prefix of s).
  for (std::size_t n = std::min(letters, html_entities::kMaxLegacyNameLength); n >= 2; --n) {
    if (html_entities::find(t.substr(1, n), &value)) {
      out->append(value);
      return 1 + n;
    }
  }
  return 0;
}

}  // namespace

std::size_t append_char_ref(std::string_view text, std::string* out) {
  if (text.size() < 2) return 0;
  if (text[1] == '#') return numeric_ref(text, out);
  return named_ref(text, out);
}

void append_unescaped(std::string_view text, std::string* out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const void* amp = std::memchr(text.data() + i, '&', text.size() - i);
    if (amp == nullptr) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(amp) - text.data());
    out->append(text.data() + i, at - i);
    const std::size_t used = append_char_ref(text.substr(at), out);
    if (used == 0) {
      out->push_back('&');
      i = at + 1;
    } else {
      i = at + used;
    }
  }
  out->append(text.data() + i, text.size() - i);
}

}  // namespace tomes::parse
