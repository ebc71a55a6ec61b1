// UTF-8 decoding: every scalar value round-trips; ill-formed input decodes as
// U+FFFD one byte at a time, never reading past the end.
#include <string>
#include <vector>

#include "common/utf8.h"
#include "check.h"

using tomes::utf8::append;
using tomes::utf8::count_code_points;
using tomes::utf8::decode;
using tomes::utf8::kReplacement;

namespace {

// Decodes all of s, returning (code point, length) pairs.
std::vector<std::pair<char32_t, std::size_t>> decode_all(const std::string& s) {
  std::vector<std::pair<char32_t, std::size_t>> out;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = decode(p, end, &cp);
    out.emplace_back(cp, len);
    p += len;
  }
  return out;
}

}  // namespace

TEST_CASE("every scalar value round-trips with the expected length") {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string s;
    append(s, cp);
    const std::size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (s.size() != expected) CHECK_EQ(s.size(), expected);
    const auto decoded = decode_all(s);
    if (decoded.size() != 1 || decoded[0].first != cp || decoded[0].second != expected) {
      CHECK(false);
      break;
    }
  }
}

TEST_CASE("hand-made sequences") {
  const auto d = decode_all("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");  // a é € 😀
  CHECK_EQ(d.size(), 4u);
  CHECK_EQ(static_cast<unsigned>(d[1].first), 0xE9u);
  CHECK_EQ(static_cast<unsigned>(d[2].first), 0x20ACu);
  CHECK_EQ(static_cast<unsigned>(d[3].first), 0x1F600u);
  CHECK_EQ(count_code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10), 4u);
}

TEST_CASE("ill-formed sequences decode as U+FFFD, one byte each") {
  const char* cases[] = {
      "\x80",              // lone continuation
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong 3-byte
      "\xED\xA0\x80",      // surrogate U+D800 (what "surrogatepass" writes)
      "\xF0\x80\x80\xAF",  // overlong 4-byte
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xF5\x80\x80\x80",  // invalid lead byte
      "\xFF",
      "\xE2\x82",          // truncated at the end
      "\xF0\x9F\x98",      // truncated at the end
  };
  for (const char* c : cases) {
    const std::string s(c);
    const auto d = decode_all(s);
    CHECK_EQ(d.size(), s.size());
    for (const auto& [cp, len] : d) {
      CHECK_EQ(static_cast<unsigned>(cp), static_cast<unsigned>(kReplacement));
      CHECK_EQ(len, 1u);
    }
  }
}

TEST_CASE("a truncated sequence does not swallow the next character") {
  const auto d = decode_all("\xE2\x82" "A");
  CHECK_EQ(d.size(), 3u);
  CHECK_EQ(static_cast<unsigned>(d[2].first), static_cast<unsigned>('A'));
}

int main() { return tomes::test::run_all(); }
