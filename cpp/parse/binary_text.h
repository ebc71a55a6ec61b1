// binary_text.h: telling a file of binary garbage from a book, on its decoded
// text (SPEC 2: "binary garbage is skipped").
//
// The rule, over the code points of the decoded text:
//
//   controls      U+0001-U+0008, U+000E-U+001F, U+007F, U+0080-U+009F
//                 except U+0085: the control characters text does not use
//                 for layout. TAB LF VT FF CR and NEL are layout, and NUL is
//                 left out too: some books separate words with it, and the
//                 tokenizer treats it as any other separator.
//   replacements  U+FFFD: bytes the encoding could not decode.
//
//   binary  iff  controls + replacements >= kMinEvidence
//           and (controls >= kControlShare of the code points
//                or controls + replacements >= kGarbageShare of them)
//
// Why these numbers: random bytes give about 10% controls whatever the
// encoding (27 of the 256 byte values are C0 controls or DEL; Latin-1 adds
// the 32 C1 controls, so 23%), and read as UTF-8 about 50% U+FFFD on top.
// Books give almost no controls (a stray ^Z at the end of a DOS file, a few
// escape sequences): 5% is half of what noise gives and far above what
// prose has. U+FFFD alone is weaker evidence: Latin-1 prose read as UTF-8
// has one per accented letter (French about 3%, the golden corpus's
// "café à la crème, naïve façade" 17%), so it takes 30%. kMinEvidence keeps
// a tiny file with one odd byte from being judged on a share of a handful of
// characters. CJK text in UTF-8 or UTF-16 decodes cleanly and has no
// controls; text in an unknown legacy multibyte encoding read as UTF-8 (GBK,
// Shift-JIS) is mostly U+FFFD and is skipped, with a reason that says so;
// so is UTF-8 CJK read as Latin-1 (half its continuation bytes are C1
// controls there).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace tomes::parse {

inline constexpr std::uint64_t kMinEvidence = 8;
inline constexpr double kControlShare = 0.05;
inline constexpr double kGarbageShare = 0.30;

// The counts the rule looks at.
struct TextCensus {
  std::uint64_t code_points = 0;
  std::uint64_t controls = 0;
  std::uint64_t replacements = 0;
};

// Counts text's code points, controls and U+FFFDs. REQUIRES: text is valid
// UTF-8 (what decode_text returns).
TextCensus take_census(std::string_view text);

// Whether the rule above calls the census binary.
bool looks_binary(const TextCensus& census);

// OK for text, InvalidArgument for binary content, its message the skip
// reason: "binary content: 61% of its 1024 characters are control
// characters (12%) or U+FFFD (undecodable bytes) ...".
Status check_not_binary(std::string_view text);

}  // namespace tomes::parse
