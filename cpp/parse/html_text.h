// html_text.h: an HTML (or XHTML) page's bytes -> the text of its body
// (SPEC 2).
//
// (Contract to be completed with the implementation: a streaming tokenizer,
// iterative; script/style/template/noscript/head dropped; character
// references decoded as HTML5; block elements become line breaks; charset
// from a BOM, an XML declaration or <meta charset>.)
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parse/text_decode.h"

namespace tomes::parse {

struct HtmlOptions {
  // Bytes with no BOM and no declared charset are read in this encoding.
  TextEncoding encoding = TextEncoding::kUtf8;
  // XML syntax (EPUB chapters): "<x/>" closes any element, so "<script/>"
  // does not swallow the page.
  bool xhtml = false;
  // *out never grows past this many bytes: InvalidArgument
  // "the text is larger than the cap of N bytes" instead.
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;
};

// Appends the text of the page to *out. *invalid_utf8 (if given) is set when
// the decoded bytes were not valid UTF-8.
Status append_html_text(std::string_view bytes, const HtmlOptions& options, std::string* out,
                        bool* invalid_utf8 = nullptr);

}  // namespace tomes::parse
