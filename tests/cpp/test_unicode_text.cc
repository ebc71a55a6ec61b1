// Case folding and folding against hand-computed values from Python 3.11:
// "X".casefold() and the SPEC 3 fold. (The exhaustive comparison with
// unicodedata over every code point is in tests/python/test_analysis.py.)
#include <string>

#include "analysis/unicode_tables.h"
#include "analysis/unicode_text.h"
#include "check.h"

using tomes::analysis::casefold;
using tomes::analysis::fold;

TEST_CASE("casefold: full case folding, per code point") {
  CHECK_EQ(casefold("Hello"), std::string("hello"));
  CHECK_EQ(casefold("Straße"), std::string("strasse"));
  CHECK_EQ(casefold("ΣΊΣΥΦΟΣ"), std::string("σίσυφοσ"));  // final sigma -> σ
  CHECK_EQ(casefold("ς"), std::string("σ"));
  CHECK_EQ(casefold("İ"), std::string("i\xCC\x87"));     // i + U+0307
  CHECK_EQ(casefold("ﬁ"), std::string("fi"));
  CHECK_EQ(casefold("ǅ"), std::string("ǆ"));
  CHECK_EQ(casefold("Ꭰ"), std::string("Ꭰ"));  // Cherokee folds to upper (U+13A0 stays)
  CHECK_EQ(casefold("ꭰ"), std::string("Ꭰ"));  // U+AB70 -> U+13A0
  CHECK_EQ(casefold("a\xFF" "b"), std::string("a\xEF\xBF\xBD" "b"));  // invalid byte -> U+FFFD
}

TEST_CASE("fold: NFKD, letters and numbers only, spelled-out letters") {
  CHECK_EQ(fold("café"), std::string("cafe"));
  CHECK_EQ(fold("façade"), std::string("facade"));
  CHECK_EQ(fold("ﬁsh"), std::string("fish"));
  CHECK_EQ(fold("½"), std::string("12"));  // 1 FRACTION SLASH 2, the slash dropped
  CHECK_EQ(fold("æøœłđðþħı"), std::string("aeooelddthhi"));
  CHECK_EQ(fold("ß"), std::string("ß"));  // no decomposition; casefold handles it
  CHECK_EQ(fold("Ǆ"), std::string("DZ"));  // NFKD: D Z U+030C, the caron dropped
  CHECK_EQ(fold("i\xCC\x87"), std::string("i"));  // combining dot dropped
  CHECK_EQ(fold("한"), std::string("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"));  // Hangul -> jamo
  CHECK_EQ(fold("x\xCC\x81\xCC\xA3y"), std::string("xy"));  // marks in any order vanish
  CHECK_EQ(fold("a-b c"), std::string("abc"));
  CHECK_EQ(fold(""), std::string(""));
}

TEST_CASE("tables: token characters are L*, M*, N*") {
  using tomes::analysis::unicode::info;
  using tomes::analysis::unicode::kTokenChar;
  CHECK(info(U'a').flags & kTokenChar);
  CHECK(info(U'7').flags & kTokenChar);
  CHECK(info(0x0301).flags & kTokenChar);   // combining acute (Mn)
  CHECK(info(0x00BD).flags & kTokenChar);   // ½ (No)
  CHECK(info(0x4E2D).flags & kTokenChar);   // 中 (Lo)
  CHECK(!(info(U'_').flags & kTokenChar));  // Pc
  CHECK(!(info(U'\'').flags & kTokenChar));
  CHECK(!(info(0x2019).flags & kTokenChar));  // ’
  CHECK(!(info(0x00A0).flags & kTokenChar));  // no-break space
  CHECK(!(info(0xFFFD).flags & kTokenChar));
  CHECK(!(info(0xD800).flags & kTokenChar));  // surrogate (Cs)
  CHECK(!(info(0x10FFFF).flags & kTokenChar));
  CHECK_EQ(std::string(tomes::analysis::unicode::kUnicodeVersion), std::string("14.0.0"));
}

int main() { return tomes::test::run_all(); }
