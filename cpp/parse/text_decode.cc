#include "parse/text_decode.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/utf8.h"

namespace tomes::parse {

namespace {

constexpr char kReplacementUtf8[] = "\xEF\xBF\xBD";  // U+FFFD

using utf8::is_continuation;

// Checks the sequence starting at p (avail > 0 bytes left). Returns true for
// a well-formed sequence (Unicode Table 3-7) and sets *length to its length;
// otherwise false with *length = its maximal subpart: the lead byte and the
// bytes after it that could still have completed it (at least 1).
inline bool check_sequence(const unsigned char* p, std::size_t avail, std::size_t* length) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *length = 1;
    return true;
  }
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b0 < 0xC2) {  // continuation byte, or C0/C1 (always overlong)
    *length = 1;
    return false;
  } else if (b0 <= 0xDF) {
    need = 2;
  } else if (b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;       // no overlongs
    else if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;       // no overlongs
    else if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *length = 1;
    return false;
  }
  std::size_t k = 1;
  if (avail > 1 && p[1] >= lo && p[1] <= hi) {
    k = 2;
    while (k < need && k < avail && is_continuation(p[k])) ++k;
  }
  *length = k;
  return k == need;
}

// The offset of the first ill-formed sequence at or after i, or size.
std::size_t valid_until(const unsigned char* p, std::size_t i, std::size_t size) {
  while (i < size) {
    // ASCII runs, 16 bytes at a time.
    while (i + 16 <= size) {
      std::uint64_t a, b;
      std::memcpy(&a, p + i, 8);
      std::memcpy(&b, p + i + 8, 8);
      if (((a | b) & 0x8080808080808080ull) != 0) break;
      i += 16;
    }
    if (i == size) break;  // the ASCII run reached the end
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    if (!check_sequence(p + i, size - i, &length)) return i;
    i += length;
  }
  return size;
}

std::string decode_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  std::size_t valid = valid_until(p, 0, size);
  if (valid == size) return std::string(bytes);
  std::string out;
  out.reserve(size + size / 8 + 16);
  std::size_t i = 0;
  for (;;) {
    out.append(bytes.data() + i, valid - i);
    if (valid == size) break;
    std::size_t length;
    check_sequence(p + valid, size - valid, &length);
    out.append(kReplacementUtf8, 3);
    i = valid + length;
    valid = valid_until(p, i, size);
  }
  return out;
}

// UTF-16 after its BOM, as CPython's "utf-16" decoder with errors="replace".
std::string decode_utf16(std::string_view bytes, bool little_endian) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  const int hi = little_endian ? 1 : 0, lo = 1 - hi;
  auto unit = [&](std::size_t i) -> char32_t { return (char32_t(p[i + hi]) << 8) | p[i + lo]; };
  std::string out;
  out.reserve(size + size / 2);
  std::size_t i = 0;
  while (size - i >= 2) {
    const char32_t u = unit(i);
    i += 2;
    if (u < 0xD800 || u > 0xDFFF) {
      utf8::append(out, u);
    } else if (u >= 0xDC00) {  // a low surrogate with no high one before it
      out.append(kReplacementUtf8, 3);
    } else if (size - i < 2) {  // a high surrogate at the end: one U+FFFD for the rest
      out.append(kReplacementUtf8, 3);
      i = size;
    } else {
      const char32_t u2 = unit(i);
      if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
        utf8::append(out, 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00));
        i += 2;
      } else {  // the high surrogate alone is replaced; u2 is read afresh
        out.append(kReplacementUtf8, 3);
      }
    }
  }
  if (i < size) out.append(kReplacementUtf8, 3);  // "truncated data": an odd final byte
  return out;
}

// Windows-1252's bytes 0x80-0x9F (the rest is Latin-1), from the code page
// as Unicode publishes it (MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT); 0
// marks the five bytes it leaves undefined, which Python decodes as errors.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       // 88-8F
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,  // 98-9F
};

// A single-byte encoding: every byte is one code point, so there is nothing
// to resynchronize and no maximal subpart to find.
std::string decode_single_byte(std::string_view bytes, bool cp1252) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else if (cp1252 && b < 0xA0) {
      const char16_t cp = kCp1252High[b - 0x80];
      if (cp == 0) {
        out.append(kReplacementUtf8, 3);
      } else {
        utf8::append(out, cp);
      }
    } else {
      utf8::append(out, b);
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) {
  return valid_until(reinterpret_cast<const unsigned char*>(bytes.data()), 0, bytes.size()) == bytes.size();
}

// The encoding's part of decode_text: bytes with no BOM (or after a UTF-8 one).
std::string decode_by_encoding(std::string_view bytes, TextEncoding encoding, bool* invalid_utf8) {
  switch (encoding) {
    case TextEncoding::kAuto:
    case TextEncoding::kUtf8: {
      const bool valid = is_valid_utf8(bytes);
      if (invalid_utf8 != nullptr) *invalid_utf8 = !valid;
      if (valid) return std::string(bytes);
      return encoding == TextEncoding::kAuto ? decode_single_byte(bytes, true) : decode_utf8(bytes);
    }
    case TextEncoding::kLatin1:
    case TextEncoding::kCp1252:
      if (invalid_utf8 != nullptr) *invalid_utf8 = !is_valid_utf8(bytes);
      return decode_single_byte(bytes, encoding == TextEncoding::kCp1252);
  }
  return decode_utf8(bytes);  // unreachable: every enumerator is a case
}

// Lower case with "_" as "-", for comparing encoding names.
std::string normalized_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c == '_' ? '-' : c;
  }
  return out;
}

}  // namespace

Result<TextEncoding> parse_text_encoding(std::string_view name) {
  const std::string n = normalized_name(name);
  if (n == "utf-8" || n == "utf8") return TextEncoding::kUtf8;
  if (n == "auto") return TextEncoding::kAuto;
  if (n == "latin-1" || n == "latin1" || n == "iso-8859-1" || n == "iso8859-1") return TextEncoding::kLatin1;
  if (n == "cp1252" || n == "windows-1252") return TextEncoding::kCp1252;
  return Status::invalid_argument("unknown encoding \"" + std::string(name) +
                                  "\": expected \"utf-8\", \"auto\", \"latin-1\" or \"cp1252\"");
}

const char* text_encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8: return "utf-8";
    case TextEncoding::kAuto: return "auto";
    case TextEncoding::kLatin1: return "latin-1";
    case TextEncoding::kCp1252: return "cp1252";
  }
  return "utf-8";
}

std::string decode_text(std::string_view bytes, TextEncoding encoding, bool* invalid_utf8) {
  if (invalid_utf8 != nullptr) *invalid_utf8 = false;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
    // The BOM says UTF-8 whatever the encoding asked for.
    const std::string_view rest = bytes.substr(3);
    const bool valid = is_valid_utf8(rest);
    if (invalid_utf8 != nullptr) *invalid_utf8 = !valid;
    return valid ? std::string(rest) : decode_utf8(rest);
  }
  if (bytes.size() >= 2 && p[0] == 0xFF && p[1] == 0xFE) return decode_utf16(bytes.substr(2), true);
  if (bytes.size() >= 2 && p[0] == 0xFE && p[1] == 0xFF) return decode_utf16(bytes.substr(2), false);
  return decode_by_encoding(bytes, encoding, invalid_utf8);
}

}  // namespace tomes::parse
