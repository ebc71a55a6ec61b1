// The binary-content rule (parse/binary_text.h) on hand-made inputs: random
// bytes are binary in every encoding; the texts issue 11 names stay books
// (UTF-16 with a BOM, a few bad bytes, Latin-1 prose read as UTF-8, CJK, NUL
// between words); the thresholds are met exactly where the header says.
#include <cstdint>
#include <random>
#include <string>

#include "check.h"
#include "parse/binary_text.h"
#include "parse/plain_text.h"
#include "parse/text_decode.h"

using tomes::parse::check_not_binary;
using tomes::parse::decode_text;
using tomes::parse::take_census;
using tomes::parse::TextEncoding;

namespace {

const TextEncoding kEncodings[] = {TextEncoding::kUtf8, TextEncoding::kAuto, TextEncoding::kLatin1,
                                   TextEncoding::kCp1252};

std::string random_bytes(std::uint32_t seed, std::size_t n) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

// A few hundred words of English, the shape of a book's paragraph.
std::string prose(int sentences) {
  std::string out;
  for (int i = 0; i < sentences; ++i) {
    out += "Call me Ishmael. Some years ago, never mind how long precisely, having little money "
           "in my purse, I thought I would sail about a little and see the watery part of the world.\r\n";
  }
  return out;
}

std::string utf16le(const std::u16string& s) {
  std::string out = "\xFF\xFE";
  for (char16_t u : s) {
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

std::string utf16be(const std::u16string& s) {
  std::string out = "\xFE\xFF";
  for (char16_t u : s) {
    out += static_cast<char>(u >> 8);
    out += static_cast<char>(u & 0xFF);
  }
  return out;
}

bool is_binary(const std::string& bytes, TextEncoding e) { return !check_not_binary(decode_text(bytes, e)).is_ok(); }

}  // namespace

TEST_CASE("random bytes are binary in every encoding, from 256 bytes to 1 MiB") {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    for (std::size_t n : {std::size_t{256}, std::size_t{1000}, std::size_t{65536}}) {
      const std::string bytes = random_bytes(seed, n);
      if (bytes.compare(0, 2, "\xFF\xFE") == 0 || bytes.compare(0, 2, "\xFE\xFF") == 0) continue;  // UTF-16
      for (TextEncoding e : kEncodings) CHECK(is_binary(bytes, e));
    }
  }
  const std::string big = random_bytes(11, std::size_t{1} << 20);
  for (TextEncoding e : kEncodings) CHECK(is_binary(big, e));
}

TEST_CASE("binary.txt (random bytes) is refused by extract_text with the reason") {
  tomes::parse::BookFile book;
  book.path = "/books/binary.txt";
  book.relative_path = "binary.txt";
  book.format = tomes::parse::BookFormat::kPlainText;
  auto r = tomes::parse::extract_text(book, random_bytes(7, 20000));
  CHECK(!r.is_ok());
  const std::string reason = tomes::parse::skip_reason(r.status(), book.path);
  CHECK_EQ(reason.compare(0, 16, "binary content: "), 0);
  CHECK(reason.find("5% control characters or 30% of both") != std::string::npos);
  // The same bytes but text: kept.
  auto ok = tomes::parse::extract_text(book, prose(3));
  CHECK(ok.is_ok());
}

TEST_CASE("texts that must index: UTF-16, a few bad bytes, Latin-1 as UTF-8, CJK, NUL between words") {
  const std::string english = prose(20);
  // UTF-16 with a BOM, both byte orders, English and CJK.
  std::u16string u16;
  for (char c : english) u16 += static_cast<char16_t>(c);
  const std::u16string cjk16 = u"\u3053\u308C\u306F\u65E5\u672C\u8A9E\u306E\u6587\u7AE0\u3067\u3059\u3002"
                               u"\u4E2D\u6587\u6587\u672C\u3002\uD55C\uAD6D\uC5B4 \uBB38\uC7A5.\n";
  std::u16string cjk16_long;
  for (int i = 0; i < 50; ++i) cjk16_long += cjk16;
  // The same CJK in UTF-8.
  std::string cjk8;
  for (int i = 0; i < 50; ++i) {
    cjk8 += "\xE3\x81\x93\xE3\x82\x8C\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87"
            "\xE7\xAB\xA0\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82\xE4\xB8\xAD\xE6\x96\x87\xE6\x96\x87\xE6\x9C\xAC\n";
  }
  // A few bad bytes in a long text.
  std::string damaged = english;
  for (std::size_t i = 100; i < damaged.size(); i += 997) damaged[i] = static_cast<char>(0xFF);
  // Latin-1 prose (the golden corpus's line: 5 accented letters in 30
  // characters, 17% U+FFFD when read as UTF-8).
  std::string latin1;
  for (int i = 0; i < 40; ++i) latin1 += "caf\xE9 \xE0 la cr\xE8me, na\xEFve fa\xE7" "ade ";
  // NUL between the words.
  std::string nul_separated;
  for (int i = 0; i < 200; ++i) nul_separated += std::string("whale\0ship\0sea\0", 15);
  // A DOS text: CRLF, form feeds, a ^Z at the end.
  const std::string dos = "Chapter 1\r\n\fIt was a dark night.\r\n\x1A";

  for (TextEncoding e : kEncodings) {
    CHECK(!is_binary(english, e));
    CHECK(!is_binary(utf16le(u16), e));
    CHECK(!is_binary(utf16be(u16), e));
    CHECK(!is_binary(utf16le(cjk16_long), e));
    CHECK(!is_binary(utf16be(cjk16_long), e));
    CHECK(!is_binary(damaged, e));
    CHECK(!is_binary(latin1, e));
    CHECK(!is_binary(nul_separated, e));
    CHECK(!is_binary(dos, e));
  }
  CHECK(!is_binary(cjk8, TextEncoding::kUtf8));
  CHECK(!is_binary(cjk8, TextEncoding::kAuto));
}

TEST_CASE("census: what counts as a control and as a replacement") {
  // Layout controls and NUL are not counted; C0, DEL and C1 (but NEL) are.
  const std::string text = std::string("a\0\t\n\v\f\r", 7) + "\xC2\x85" +      // 8 code points, none counted
                           "\x01\x08\x0E\x1F\x7F" + "\xC2\x80\xC2\x9F" +   // 7 controls
                           "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";  // 2 U+FFFD, 3 letters
  const auto c = take_census(text);
  CHECK_EQ(c.code_points, std::uint64_t{20});
  CHECK_EQ(c.controls, std::uint64_t{7});
  CHECK_EQ(c.replacements, std::uint64_t{2});
}

TEST_CASE("thresholds: 5% controls, 30% controls and U+FFFD, at least 8 of them") {
  using tomes::parse::looks_binary;
  using tomes::parse::TextCensus;
  CHECK(looks_binary(TextCensus{200, 10, 0}));    // 5% controls
  CHECK(!looks_binary(TextCensus{200, 9, 0}));    // 4.5%
  CHECK(looks_binary(TextCensus{100, 0, 30}));    // 30% U+FFFD
  CHECK(!looks_binary(TextCensus{100, 0, 29}));
  CHECK(looks_binary(TextCensus{100, 4, 26}));    // 30% of both
  CHECK(!looks_binary(TextCensus{10, 7, 0}));     // 70%, but only 7: too little evidence
  CHECK(looks_binary(TextCensus{10, 8, 0}));
  CHECK(!looks_binary(TextCensus{0, 0, 0}));
  // As text: 190 letters and 10 controls is binary, 191 and 9 is not.
  CHECK(!check_not_binary(std::string(190, 'a') + std::string(10, '\x02')).is_ok());
  CHECK(check_not_binary(std::string(191, 'a') + std::string(9, '\x02')).is_ok());
}

int main() { return tomes::test::run_all(); }
