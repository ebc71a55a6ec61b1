// decode_text against Python: pinned vectors (each computed with CPython
// 3.11's bytes.decode) and seeded random bytes against a reference written
// from Unicode's definition of "maximal subpart" by brute force: a sequence
// is well-formed iff it is the encoding of some scalar value, and a maximal
// subpart is the longest prefix of some well-formed sequence. The hypothesis
// suite in tests/python/test_books.py compares with CPython itself.
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "utf8_oracle.h"
#include "parse/text_decode.h"

using tomes::parse::decode_text;
using tomes::parse::TextEncoding;

namespace {

using tomes::test::encode;

const std::string kFFFD = "\xEF\xBF\xBD";

// Every well-formed sequence and every proper prefix of one.
struct Grammar {
  std::set<std::string> sequences, prefixes;
  Grammar() {
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      const std::string s = encode(cp);
      if (s.size() > 1) sequences.insert(s);  // ASCII is checked directly
      for (std::size_t k = 1; k < s.size(); ++k) prefixes.insert(s.substr(0, k));
    }
  }
};

const Grammar& grammar() {
  static const Grammar g;
  return g;
}

std::string reference_utf8(const std::string& b) {
  std::string out;
  std::size_t i = 0;
  while (i < b.size()) {
    if (static_cast<unsigned char>(b[i]) < 0x80) {
      out += b[i++];
      continue;
    }
    bool done = false;
    for (std::size_t len = 4; len >= 2 && !done; --len) {
      if (i + len <= b.size() && grammar().sequences.count(b.substr(i, len))) {
        out += b.substr(i, len);
        i += len;
        done = true;
      }
    }
    if (done) continue;
    std::size_t subpart = 1;
    for (std::size_t len = 3; len >= 1; --len) {
      if (i + len <= b.size() && grammar().prefixes.count(b.substr(i, len))) {
        subpart = len;
        break;
      }
    }
    out += kFFFD;
    i += subpart;
  }
  return out;
}

bool is_valid_utf8(const std::string& s) { return reference_utf8(s) == s || s.empty(); }

}  // namespace

TEST_CASE("pinned UTF-8 vectors from CPython") {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"plain ascii\r\n", "plain ascii\r\n"},
      {"\xE2\x82", kFFFD},                                    // truncated
      {"\xE0\x80", kFFFD + kFFFD},                            // overlong lead
      {"\xED\xA0\x80", kFFFD + kFFFD + kFFFD},                // surrogate
      {"\xF4\x90\x80\x80", kFFFD + kFFFD + kFFFD + kFFFD},    // > U+10FFFF
      {"\xC0\xAF", kFFFD + kFFFD},                            // overlong '/'
      {"a\xF0\x9F\x98", "a" + kFFFD},                         // truncated at the end
      {"\xF0\x9F\x98" "a", kFFFD + "a"},
      {"\xFF", kFFFD},
      {"\xEF\xBB\xBF\xEF\xBB\xBFx", "\xEF\xBB\xBFx"},        // only the first BOM goes
      {"\xEF\xBB", kFFFD},                                    // half a BOM
      {"\xEF\xBB\xBF", ""},
      {"\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41", kFFFD + kFFFD + kFFFD + kFFFD + "A"},
      {"\xF8\x88\x80\x80\x80", kFFFD + kFFFD + kFFFD + kFFFD + kFFFD},
      {std::string("a\0b", 3), std::string("a\0b", 3)},
  };
  for (const auto& [in, want] : cases) CHECK_EQ(decode_text(in), want);
}

TEST_CASE("pinned UTF-16 vectors from CPython") {
  const std::pair<std::string, std::string> cases[] = {
      {"\xFF\xFE", ""},
      {"\xFF\xFE" "a", kFFFD},                             // odd length
      {std::string("\xFF\xFE" "a\0", 4), "a"},
      {std::string("\xFF\xFE\0\xD8", 4), kFFFD},           // high surrogate at the end
      {std::string("\xFF\xFE\0\xD8" "a", 5), kFFFD},        // ... and an odd byte: one U+FFFD
      {std::string("\xFF\xFE\0\xD8" "a\0", 6), kFFFD + "a"},  // high then not low
      {std::string("\xFF\xFE\0\xDC" "a\0", 6), kFFFD + "a"},  // lone low
      {std::string("\xFF\xFE\x3D\xD8\0\xDE", 6), "\xF0\x9F\x98\x80"},
      {std::string("\xFE\xFF\xD8\x3D\xDE\0", 6), "\xF0\x9F\x98\x80"},
      {std::string("\xFE\xFF\0" "a\0", 5), "a" + kFFFD},
      {std::string("\xFF\xFE\0\xD8\0\xD8\0\xDC", 8), kFFFD + "\xF0\x90\x80\x80"},
      {"\xFF\xFE\xFF\xFE", "\xEF\xBB\xBF"},                 // a second BOM is text
      {"\xFE\xFF\xD8\0\xD8", kFFFD},
      {std::string("\xFF\xFE\0\xD8\0", 5), kFFFD},
      {std::string("\xFE\xFF\0\0", 4), std::string("\0", 1)},
  };
  for (const auto& [in, want] : cases) CHECK_EQ(decode_text(in), want);
}

TEST_CASE("every scalar value round-trips; every surrogate is three U+FFFD") {
  std::string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      const std::string s = encode(cp);
      if (decode_text(s) != kFFFD + kFFFD + kFFFD) CHECK_EQ(decode_text(s), kFFFD + kFFFD + kFFFD);
      continue;
    }
    all += encode(cp);
  }
  CHECK(decode_text(all) == all);
}

TEST_CASE("seeded random bytes equal the reference decoder") {
  std::mt19937_64 rng(20240611);
  // Bytes drawn mostly from the interesting ones, so that nearly-valid
  // sequences are common.
  const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                       0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                       0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFE, 0xFF, 0xBB};
  int mismatches = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const std::size_t len = rng() % 24;
    std::string b;
    for (std::size_t i = 0; i < len; ++i) {
      b += static_cast<char>(rng() % 3 == 0 ? rng() % 256 : interesting[rng() % sizeof(interesting)]);
    }
    if (b.size() >= 2 && ((b[0] == '\xFF' && b[1] == '\xFE') || (b[0] == '\xFE' && b[1] == '\xFF'))) {
      b[0] = 'x';  // UTF-16 has its own tests
    }
    const std::string body = b.compare(0, 3, "\xEF\xBB\xBF") == 0 ? b.substr(3) : b;
    const std::string got = decode_text(b);
    if (got != reference_utf8(body) && ++mismatches <= 5) CHECK_EQ(got, reference_utf8(body));
    if (!is_valid_utf8(got)) CHECK(is_valid_utf8(got));
  }
  CHECK_EQ(mismatches, 0);
}

TEST_CASE("long valid runs around an invalid byte (the 16-byte ASCII path)") {
  for (std::size_t n = 0; n < 70; ++n) {
    for (const char* bad : {"\x80", "\xE2\x82", "\xC3\xA9"}) {
      const std::string s = std::string(n, 'a') + bad + std::string(n % 17, 'b') + "\xC3\xA9";
      CHECK_EQ(decode_text(s), reference_utf8(s));
    }
  }
}

TEST_CASE("seeded random UTF-16 is always valid UTF-8 and round-trips when well-formed") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 5000; ++iter) {
    // Well-formed: encode random scalar values as UTF-16LE behind a BOM.
    std::string in = "\xFF\xFE", want;
    const int count = static_cast<int>(rng() % 12);
    for (int i = 0; i < count; ++i) {
      char32_t cp = static_cast<char32_t>(rng() % 0x110000);
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x41;
      want += encode(cp);
      auto put = [&](std::uint32_t u) { in += char(u & 0xFF); in += char(u >> 8); };
      if (cp >= 0x10000) {
        put(0xD800 + ((cp - 0x10000) >> 10));
        put(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        put(cp);
      }
    }
    CHECK_EQ(decode_text(in), want);
    // Damaged: drop or flip bytes; the output must stay valid UTF-8.
    std::string damaged = in;
    if (damaged.size() > 2) damaged.erase(2 + rng() % (damaged.size() - 2), 1);
    if (damaged.size() > 2) damaged[2 + rng() % (damaged.size() - 2)] = static_cast<char>(0xD8 + rng() % 8);
    if (!is_valid_utf8(decode_text(damaged))) CHECK(is_valid_utf8(decode_text(damaged)));
  }
}

// --- encodings (issue 11): pinned from CPython 3.11's codecs ------------------

TEST_CASE("cp1252: bytes 80-9F as CPython's bytes.decode(\"cp1252\", \"replace\")") {
  // bytes(range(0x80, 0xA0)).decode("cp1252", "replace"), UTF-8 encoded: the
  // five undefined bytes (81 8D 8F 90 9D) are U+FFFD.
  const std::string expected =
      "\xE2\x82\xAC\xEF\xBF\xBD\xE2\x80\x9A\xC6\x92\xE2\x80\x9E\xE2\x80\xA6\xE2\x80\xA0\xE2\x80\xA1"
      "\xCB\x86\xE2\x80\xB0\xC5\xA0\xE2\x80\xB9\xC5\x92\xEF\xBF\xBD\xC5\xBD\xEF\xBF\xBD"
      "\xEF\xBF\xBD\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA2\xE2\x80\x93\xE2\x80\x94"
      "\xCB\x9C\xE2\x84\xA2\xC5\xA1\xE2\x80\xBA\xC5\x93\xEF\xBF\xBD\xC5\xBE\xC5\xB8";
  std::string bytes;
  for (int b = 0x80; b < 0xA0; ++b) bytes += static_cast<char>(b);
  CHECK_EQ(decode_text(bytes, TextEncoding::kCp1252), expected);
}

TEST_CASE("latin-1 and cp1252: every other byte is its own code point") {
  for (int b = 1; b < 256; ++b) {
    if (b >= 0x80 && b < 0xA0) continue;  // cp1252's own range, above
    const std::string one(1, static_cast<char>(b));
    CHECK_EQ(decode_text(one, TextEncoding::kLatin1), encode(static_cast<char32_t>(b)));
    CHECK_EQ(decode_text(one, TextEncoding::kCp1252), encode(static_cast<char32_t>(b)));
  }
  std::string c1;
  for (int b = 0x80; b < 0xA0; ++b) c1 += static_cast<char>(b);
  std::string expected;
  for (char32_t cp = 0x80; cp < 0xA0; ++cp) expected += encode(cp);
  CHECK_EQ(decode_text(c1, TextEncoding::kLatin1), expected);  // Latin-1 keeps the C1 controls
}

TEST_CASE("encodings on a Latin-1 book: utf-8 replaces, auto, latin-1 and cp1252 read it") {
  // b"caf\xe9 cr\xe8me \x80 \x9d \x85" decoded by CPython in each codec.
  const std::string bytes = "caf\xE9 cr\xE8me \x80 \x9D \x85";
  bool invalid = false;
  CHECK_EQ(decode_text(bytes, TextEncoding::kUtf8, &invalid),
           "caf" + kFFFD + " cr" + kFFFD + "me " + kFFFD + " " + kFFFD + " " + kFFFD);
  CHECK(invalid);
  invalid = false;
  CHECK_EQ(decode_text(bytes, TextEncoding::kAuto, &invalid),
           "caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC \xEF\xBF\xBD \xE2\x80\xA6");
  CHECK(invalid);
  CHECK_EQ(decode_text(bytes, TextEncoding::kCp1252),
           "caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC \xEF\xBF\xBD \xE2\x80\xA6");
  CHECK_EQ(decode_text(bytes, TextEncoding::kLatin1), "caf\xC3\xA9 cr\xC3\xA8me \xC2\x80 \xC2\x9D \xC2\x85");
}

TEST_CASE("auto keeps valid UTF-8 as UTF-8; a BOM wins over every encoding") {
  const std::string utf8 = "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87";
  for (TextEncoding e : {TextEncoding::kUtf8, TextEncoding::kAuto}) {
    bool invalid = true;
    CHECK_EQ(decode_text(utf8, e, &invalid), utf8);
    CHECK(!invalid);
  }
  bool invalid = false;
  CHECK_EQ(decode_text(utf8, TextEncoding::kLatin1, &invalid), "caf\xC3\x83\xC2\xA9 \xC3\xA4\xC2\xB8\xC2\xAD"
                                                               "\xC3\xA6\xC2\x96\xC2\x87");
  CHECK(!invalid);  // the bytes were valid UTF-8, whatever they were read as
  for (TextEncoding e : {TextEncoding::kUtf8, TextEncoding::kAuto, TextEncoding::kLatin1, TextEncoding::kCp1252}) {
    invalid = false;
    CHECK_EQ(decode_text("\xEF\xBB\xBF" + utf8, e, &invalid), utf8);
    CHECK(!invalid);
    CHECK_EQ(decode_text("\xEF\xBB\xBF" "caf\xE9", e, &invalid), "caf" + kFFFD);  // UTF-8 by the BOM, bad byte
    CHECK(invalid);
    CHECK_EQ(decode_text(std::string("\xFF\xFE" "h\0i\0", 6), e, &invalid), "hi");
    CHECK(!invalid);
    CHECK_EQ(decode_text(std::string("\xFE\xFF\0h\0i", 6), e), "hi");
  }
}

TEST_CASE("encoding names: canonical, aliases, and a clear error") {
  using tomes::parse::parse_text_encoding;
  using tomes::parse::text_encoding_name;
  for (TextEncoding e : {TextEncoding::kUtf8, TextEncoding::kAuto, TextEncoding::kLatin1, TextEncoding::kCp1252}) {
    auto r = parse_text_encoding(text_encoding_name(e));
    CHECK(r.is_ok() && r.value() == e);
  }
  CHECK(parse_text_encoding("UTF8").value() == TextEncoding::kUtf8);
  CHECK(parse_text_encoding("ISO_8859-1").value() == TextEncoding::kLatin1);
  CHECK(parse_text_encoding("latin1").value() == TextEncoding::kLatin1);
  CHECK(parse_text_encoding("Windows-1252").value() == TextEncoding::kCp1252);
  auto bad = parse_text_encoding("koi8-r");
  CHECK(!bad.is_ok());
  CHECK_EQ(bad.status().message(),
           std::string("unknown encoding \"koi8-r\": expected \"utf-8\", \"auto\", \"latin-1\" or \"cp1252\""));
}

int main() { return tomes::test::run_all(); }
