// chunk_text against a brute-force model of the rule in chunk/chunker.h
// (written over a vector of code points, index by index, as the header states
// it) and a checker of the properties the header promises. Seeded random
// texts over an alphabet rich in whitespace and multi-byte characters, every
// chunk_size in 1..24 and overlap below it; tests/python/test_books.py does
// the same against a Python reference with str.isspace itself.
#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "utf8_oracle.h"
#include "chunk/chunker.h"
#include "chunk/whitespace.h"

using tomes::chunk::ChunkSpan;
using tomes::chunk::chunk_text;
using tomes::chunk::is_space;

namespace {

using tomes::test::encode;

struct Text {
  std::vector<char32_t> cps;
  std::string utf8;
  std::vector<std::uint32_t> byte_at;  // byte offset of each code point, and of the end
};

Text make_text(const std::vector<char32_t>& cps) {
  Text t;
  t.cps = cps;
  for (char32_t cp : cps) {
    t.byte_at.push_back(static_cast<std::uint32_t>(t.utf8.size()));
    t.utf8 += encode(cp);
  }
  t.byte_at.push_back(static_cast<std::uint32_t>(t.utf8.size()));
  return t;
}

Text make_text(const std::string& ascii) {
  return make_text(std::vector<char32_t>(ascii.begin(), ascii.end()));
}

// The rule, index by index.
std::vector<std::pair<std::uint32_t, std::uint32_t>> model(const std::vector<char32_t>& T,
                                                           std::uint32_t cs, std::uint32_t overlap) {
  const std::int64_t n = static_cast<std::int64_t>(T.size());
  auto ws = [&](std::int64_t i) { return is_space(T[static_cast<std::size_t>(i)]); };
  std::int64_t first = 0, last = 0;
  while (first < n && ws(first)) ++first;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!ws(i)) last = i + 1;
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
  if (first == n) return spans;
  if (cs == 0) {
    spans.emplace_back(first, last);
    return spans;
  }
  std::int64_t pos = first;
  while (pos < last) {
    if (last - pos <= cs) {
      spans.emplace_back(pos, last);
      break;
    }
    std::int64_t e = -1;
    for (std::int64_t j = pos + 1; j <= pos + cs; ++j) {
      if (ws(j)) e = j;
    }
    std::int64_t end, next;
    if (e >= 0) {
      end = e;
      while (ws(end - 1)) --end;
      std::int64_t f = end;
      while (ws(f)) ++f;
      std::int64_t g = f;
      while (g < n && !ws(g)) ++g;
      const std::int64_t lo = std::max({end - std::int64_t(overlap), pos + 1, g - std::int64_t(cs)});
      next = f;
      for (std::int64_t s = lo; s < end; ++s) {
        if (!ws(s) && ws(s - 1)) {
          next = s;
          break;
        }
      }
    } else {
      end = next = pos + cs;
    }
    spans.emplace_back(pos, end);
    pos = next;
  }
  return spans;
}

// The header's promises, checked on their own.
std::string property_failure(const Text& t, const std::vector<ChunkSpan>& spans, std::uint32_t cs,
                             std::uint32_t overlap) {
  const auto& T = t.cps;
  std::vector<bool> covered(T.size(), false);
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const ChunkSpan& c = spans[k];
    if (!(c.start < c.end && c.end <= T.size())) return "empty or out of range";
    if (cs != 0 && c.end - c.start > cs) return "longer than chunk_size";
    if (is_space(T[c.start]) || is_space(T[c.end - 1])) return "starts or ends on whitespace";
    if (c.byte_start != t.byte_at[c.start] || c.byte_end != t.byte_at[c.end]) return "byte offsets";
    if (k > 0) {
      const ChunkSpan& p = spans[k - 1];
      if (!(p.start < c.start && p.end < c.end)) return "not increasing (or nested)";
      if (c.start < p.end && p.end - c.start > overlap) return "overlap too large";
    }
    for (std::uint32_t i = c.start; i < c.end; ++i) covered[i] = true;
  }
  for (std::size_t i = 0; i < T.size(); ++i) {
    if (!is_space(T[i]) && !covered[i]) return "non-whitespace not covered";
  }
  return "";
}

std::string show(const std::vector<ChunkSpan>& spans) {
  std::ostringstream out;
  for (const ChunkSpan& s : spans) out << "[" << s.start << "," << s.end << ")";
  return out.str();
}

std::string show(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& spans) {
  std::ostringstream out;
  for (const auto& s : spans) out << "[" << s.first << "," << s.second << ")";
  return out.str();
}

std::vector<ChunkSpan> run(const Text& t, std::uint32_t cs, std::uint32_t overlap) {
  std::vector<ChunkSpan> spans;
  chunk_text(t.utf8, cs, overlap, &spans);
  return spans;
}

}  // namespace

TEST_CASE("pinned examples") {
  // The example of the rule's fix: no chunk inside its predecessor.
  CHECK_EQ(show(run(make_text("aaa bb cccccccccccccccc"), 10, 5)), "[0,6)[7,17)[17,23)");
  CHECK_EQ(show(run(make_text("  hello   world  "), 0, 0)), "[2,15)");
  CHECK_EQ(show(run(make_text("   \n\t "), 0, 0)), "");
  CHECK_EQ(show(run(make_text(""), 5, 1)), "");
  CHECK_EQ(show(run(make_text("abcdefghij"), 4, 2)), "[0,4)[4,8)[8,10)");  // hard cuts
  CHECK_EQ(show(run(make_text("ab cd ef gh"), 5, 2)), "[0,5)[3,8)[6,11)");
  CHECK_EQ(show(run(make_text("ab cd ef gh"), 5, 0)), "[0,5)[6,11)");
  CHECK_EQ(show(run(make_text("a"), 1, 0)), "[0,1)");
}

TEST_CASE("non-ASCII whitespace and multi-byte characters") {
  // U+3000 ideographic space, U+00A0, U+2028, U+0085 separate; U+200B does not.
  const Text t = make_text(std::vector<char32_t>{0x65E5, 0x3000, 0x672C, 0x00A0, 0x1F600, 0x2028,
                                                 0x00E9, 0x0085, 0x200B, 0x0078});
  const auto spans = run(t, 3, 1);
  CHECK_EQ(show(spans), show(model(t.cps, 3, 1)));
  CHECK_EQ(property_failure(t, spans, 3, 1), "");
  CHECK(!is_space(0x200B));
  CHECK(is_space(0x3000) && is_space(0x85) && is_space(0x1C) && is_space(0xA0));
}

TEST_CASE("the byte classes agree with the code point list") {
  namespace ws = tomes::chunk::whitespace;
  for (char32_t cp : ws::kSpaceCodePoints) {
    const unsigned char lead = static_cast<unsigned char>(encode(cp)[0]);
    CHECK(ws::kByteClass[lead] == (cp < 0x80 ? ws::kAsciiSpace : ws::kLeadMaybeSpace));
    bool space = false;
    const std::string s = encode(cp);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    CHECK_EQ(tomes::chunk::read_char(p, p + s.size(), &space), s.size());
    CHECK(space);
  }
}

TEST_CASE("seeded random texts equal the model and keep the properties") {
  std::mt19937_64 rng(42);
  const char32_t alphabet[] = {'a', 'b', 'c', 'd', ' ', ' ', '\n', 0xA0, 0x3000, 0xE9,
                               0x1F600, 0x2028, 0x85, 0x200B, '\t', 'x'};
  int mismatches = 0, failures = 0, texts = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<char32_t> cps;
    const std::size_t len = rng() % 60;
    // Sometimes long words, to exercise hard cuts.
    const bool long_words = rng() % 4 == 0;
    for (std::size_t i = 0; i < len; ++i) {
      const std::size_t pick = rng() % (sizeof(alphabet) / sizeof(alphabet[0]));
      char32_t cp = alphabet[pick];
      if (long_words && is_space(cp) && rng() % 3 != 0) cp = 'w';
      cps.push_back(cp);
    }
    const Text t = make_text(cps);
    ++texts;
    for (std::uint32_t cs = 0; cs <= 24; ++cs) {
      for (std::uint32_t overlap = 0; overlap < std::max<std::uint32_t>(cs, 1); ++overlap) {
        const auto spans = run(t, cs, overlap);
        const auto want = model(t.cps, cs, overlap);
        if (show(spans) != show(want) && ++mismatches <= 5) {
          CHECK_EQ(show(spans), show(want));
          std::fprintf(stderr, "    text %s cs=%u overlap=%u\n", t.utf8.c_str(), cs, overlap);
        }
        const std::string failure = property_failure(t, spans, cs, overlap);
        if (!failure.empty() && ++failures <= 5) CHECK_EQ(failure, "");
      }
    }
  }
  CHECK_EQ(mismatches, 0);
  CHECK_EQ(failures, 0);
}

TEST_CASE("long texts: many words per chunk (the window is compacted)") {
  std::mt19937_64 rng(9);
  std::vector<char32_t> cps;
  for (int w = 0; w < 60000; ++w) {
    const int len = 1 + static_cast<int>(rng() % 7);
    for (int i = 0; i < len; ++i) cps.push_back(rng() % 50 == 0 ? 0xE9 : 'a' + rng() % 26);
    cps.push_back(rng() % 10 == 0 ? '\n' : ' ');
  }
  const Text t = make_text(cps);
  for (const auto& [cs, overlap] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{
           {1000, 100}, {4000, 100}, {4000, 2000}, {100000, 50000}, {7, 6}, {1, 0}}) {
    const auto spans = run(t, cs, overlap);
    CHECK_EQ(show(spans), show(model(t.cps, cs, overlap)));
    CHECK_EQ(property_failure(t, spans, cs, overlap), "");
  }
  // Nearly total overlap: each chunk advances by about one word.
  const Text head = make_text(std::vector<char32_t>(cps.begin(), cps.begin() + 25000));
  const auto spans = run(head, 4000, 3999);
  CHECK_EQ(show(spans), show(model(head.cps, 4000, 3999)));
  CHECK_EQ(property_failure(head, spans, 4000, 3999), "");
}

TEST_CASE("overlap: about chunk_overlap when words allow") {
  // Words of 4 letters: overlap 10 gives the two last words again (9 chars),
  // never more than 10.
  std::string s;
  for (int i = 0; i < 100; ++i) s += "abcd ";
  const Text t = make_text(s);
  const auto spans = run(t, 50, 10);
  CHECK_EQ(property_failure(t, spans, 50, 10), "");
  for (std::size_t k = 1; k + 1 < spans.size(); ++k) CHECK_EQ(spans[k - 1].end - spans[k].start, 9u);
}

TEST_CASE("check_chunk_options") {
  using tomes::chunk::check_chunk_options;
  CHECK(check_chunk_options(0, 0).is_ok());
  CHECK(check_chunk_options(0, 500).is_ok());
  CHECK(check_chunk_options(1000, 999).is_ok());
  CHECK(!check_chunk_options(1000, 1000).is_ok());
  CHECK_EQ(check_chunk_options(100, 100).message(),
           "chunk_overlap must be smaller than chunk_size, got 100 >= 100");
  CHECK(!check_chunk_options(std::uint64_t(1) << 32, 0).is_ok());
}

int main() { return tomes::test::run_all(); }
