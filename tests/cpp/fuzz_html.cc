// fuzz_html.cc: a fuzz target for the HTML extractor (parse/html_text.h,
// html_charset.h, html_char_refs.h). The contract under test: no page, however
// malformed, may crash, read out of bounds, hang, go quadratic or exhaust
// memory, and the text out is always
//   - valid UTF-8 (whatever bytes and encoding went in),
//   - within the cap: status OK, or InvalidArgument "the text is larger than
//     the cap of N bytes" with *out then a prefix of the uncapped text no
//     longer than N,
//   - no longer than twice the decoded page (the most a character reference
//     grows is "&nGt;" -> 6 bytes; a tag gives at most one "\n"),
//   - the same on a second run (no hidden state).
//
// Input: byte 0 holds options (bit 0: xhtml; bits 1-2: the fallback
// encoding utf-8/auto/latin-1/cp1252; bit 3: a small cap, from bytes 1-2);
// the rest is the page.
//
// Build:
//   libFuzzer:  cmake -DTOMES_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... --target fuzz_html
//   replay:     the ctest fuzz_html_replay (-DTOMES_FUZZ_REPLAY) runs every
//               file of tests/cpp/fuzz_corpus/html, then TOMES_FUZZ_ITERATIONS
//               (default 20000) random and mutated inputs from
//               TOMES_FUZZ_SEED (default 1). A failing input is written to
//               TOMES_FUZZ_ARTIFACT_DIR as fuzz_html-failure-*.bin.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/utf8.h"
#include "parse/html_char_refs.h"
#include "parse/html_charset.h"
#include "parse/html_text.h"
#include "parse/text_decode.h"


#include "fuzz_harness.h"

using namespace tomes;
using namespace tomes::parse;

namespace tomes::fuzz {

const char* const kTargetName = "fuzz_html";

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    if (cp == utf8::kReplacement && len == 1 && *p >= 0x80) return false;
    p += len;
  }
  return true;
}

constexpr TextEncoding kEncodings[] = {TextEncoding::kUtf8, TextEncoding::kAuto, TextEncoding::kLatin1,
                                       TextEncoding::kCp1252};

void run_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::uint8_t flags = data[0];
  HtmlOptions options;
  options.xhtml = (flags & 1) != 0;
  options.encoding = kEncodings[(flags >> 1) & 3];
  std::size_t skip = 1;
  std::uint64_t small_cap = 0;
  const bool capped = (flags & 8) != 0 && size >= 3;
  if (capped) {
    small_cap = data[1] | (std::uint64_t{data[2]} << 8);
    skip = 3;
  }
  const std::string_view page(reinterpret_cast<const char*>(data) + skip, size - skip);

  std::string text;
  const Status s = append_html_text(page, options, &text);
  FUZZ_CHECK(s.is_ok());  // the default cap (256 MB) is far above any input
  FUZZ_CHECK(valid_utf8(text));
  const std::string decoded = decode_text(page, sniff_html_encoding(page, options.encoding));
  FUZZ_CHECK(text.size() <= 2 * decoded.size());

  std::string again = "prefix ";
  FUZZ_CHECK(append_html_text(page, options, &again).is_ok());
  FUZZ_CHECK(again.compare(0, 7, "prefix ") == 0);
  FUZZ_CHECK(again.size() >= 7 && std::string_view(again).substr(7) == text);

  if (capped) {
    options.max_text_bytes = small_cap;
    std::string out;
    const Status c = append_html_text(page, options, &out);
    FUZZ_CHECK(out.size() <= small_cap);
    if (text.size() <= small_cap) {
      FUZZ_CHECK(c.is_ok() && out == text);
    } else {
      FUZZ_CHECK(c.code() == Status::Code::kInvalidArgument);
      FUZZ_CHECK(c.message() == "the text is larger than the cap of " + std::to_string(small_cap) + " bytes");
      FUZZ_CHECK(text.compare(0, out.size(), out) == 0);
    }
  }

  // The character reference decoder alone, on the page as text.
  if (valid_utf8(page)) {
    std::string unescaped;
    append_unescaped(page, &unescaped);
    FUZZ_CHECK(valid_utf8(unescaped));
  }
}

}  // namespace tomes::fuzz

#ifdef TOMES_FUZZ_REPLAY
namespace tomes::fuzz {

// Pieces of markup the random inputs are stitched from, so that tags,
// comments, references and raw text meet in every order.
const char* const kPieces[] = {
    "<p>", "</p>", "<b>", "</b>", "<div class=\"a>b\">", "</div>", "<br/>", "<script>", "</script>",
    "<style>", "</STYLE >", "<head>", "</head>", "<body>", "<noscript>", "</noscript>", "<template>",
    "</template>", "<!--", "-->", "--!>", "<!-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml ?>",
    "&amp;", "&amp", "&notin;", "&notanentity;", "&#x80;", "&#0;", "&#xD800;", "&#99999999999;", "&#",
    "&", "<", ">", "</", "</>", "\"", "'", "=", "/", " ", "\n", "word", "\xC3\xA9", "\xFF", "\x93",
    "<meta charset=\"windows-1252\">", "\xEF\xBB\xBF", "\xFF\xFE", "<a href='x'", "<img src=a/>"};

std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  std::string input;
  const unsigned kind = rng() % 4;
  if (kind < 2 || corpus.empty()) {
    input.push_back(static_cast<char>(rng() & 0xFF));
    input.push_back(static_cast<char>(rng() & 0xFF));
    input.push_back(static_cast<char>(rng() & 0x0F));
    const std::size_t pieces = rng() % 60;
    for (std::size_t i = 0; i < pieces; ++i) {
      if (kind == 0) {
        input += kPieces[rng() % std::size(kPieces)];
      } else {
        input.push_back(static_cast<char>(rng() & 0xFF));
      }
    }
    return input;
  }
  input = corpus[rng() % corpus.size()];
  const unsigned mutations = 1 + rng() % 6;
  for (unsigned m = 0; m < mutations; ++m) {
    const std::size_t size = input.size();
    switch (rng() % 5) {
      case 0:
        if (size) input[rng() % size] = static_cast<char>(rng() & 0xFF);
        break;
      case 1:
        input.insert(size ? rng() % (size + 1) : 0, kPieces[rng() % std::size(kPieces)]);
        break;
      case 2:
        if (size) input.erase(rng() % size, 1 + rng() % 8);
        break;
      case 3:
        if (size) input.resize(rng() % size);
        break;
      default:
        if (size) input[0] = static_cast<char>(rng() & 0xFF);
        break;
    }
  }
  return input;
}

}  // namespace tomes::fuzz
#endif  // TOMES_FUZZ_REPLAY
