// unicode_tables.h: per-code-point Unicode data for analysis (SPEC 3).
//
// Steps 1, 2 and 5 of SPEC 3 are functions of one code point, generated from
// Python 3.11's unicodedata (Unicode 14.0.0) by scripts/gen_unicode_tables.py
// into unicode_tables.cc; nothing here is typed by hand.
//
//   is token char   general category L*, M* or N*
//   casefold        Python's str.casefold of the code point (UTF-8 bytes)
//   fold            NFKD, keep L*/N*, spell out æ œ ø ł đ ð þ ħ ı (UTF-8 bytes)
//
// fold(s) equals the concatenation of fold(c) over the code points c of s (the
// generator proves it), so strings are folded one code point at a time.
//
// Thread safety: constant tables, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tomes::analysis::unicode {

enum : std::uint8_t {
  kTokenChar = 1,     // category L*, M* or N*
  kCasefoldSame = 2,  // casefold(c) == c: no bytes stored
  kFoldSame = 4,      // fold(c) == c: no bytes stored
};

struct CodePointInfo {
  std::uint8_t flags;
  std::uint8_t casefold_len;  // bytes at kPool + casefold_offset
  std::uint8_t fold_len;      // bytes at kPool + fold_offset (0 with !kFoldSame: dropped)
  std::uint32_t casefold_offset;
  std::uint32_t fold_offset;
};

inline constexpr int kBlockBits = 7;
inline constexpr char32_t kMaxCodePoint = 0x10FFFF;

extern const char kUnicodeVersion[];
extern const std::uint16_t kBlockOf[(kMaxCodePoint + 1) >> kBlockBits];
extern const std::uint16_t kRecordOf[];
extern const CodePointInfo kRecords[];
extern const char kPool[];
extern const std::size_t kBlockCount;
extern const std::size_t kRecordCount;

// REQUIRES: cp <= kMaxCodePoint.
inline const CodePointInfo& info(char32_t cp) {
  const std::uint32_t block = kBlockOf[cp >> kBlockBits];
  return kRecords[kRecordOf[(block << kBlockBits) | (cp & ((1u << kBlockBits) - 1))]];
}

inline std::string_view casefold_bytes(const CodePointInfo& i) {
  return {kPool + i.casefold_offset, i.casefold_len};
}

inline std::string_view fold_bytes(const CodePointInfo& i) {
  return {kPool + i.fold_offset, i.fold_len};
}

}  // namespace tomes::analysis::unicode
