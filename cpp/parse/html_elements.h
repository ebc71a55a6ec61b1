// html_elements.h: what each HTML element does to the text (SPEC 2);
// tests/python/html_reference.py states the same lists for the independent
// reference extractor.
//
//   kBlock, kBody    line breaks at start and end tags
//   kHead, kNoscript, kTemplate    text inside dropped
//   kScript, kStyle  raw text, dropped
//   kInline          everything else
// The exact lists and what each kind does are in html_text.h (the contract
// users read); kElements in html_elements.cc must say the same.
//
// Names are matched in ASCII lower case.
//
// Thread safety: pure function over an immutable table.
#pragma once

#include <cstdint>
#include <string_view>

namespace tomes::parse {

enum class HtmlElement : std::uint8_t {
  kInline,
  kBlock,
  kBody,      // kBlock that also ends an open <head>
  kHead,      // kDropped
  kNoscript,  // kDropped
  kTemplate,  // kDropped
  kScript,    // kRawText
  kStyle,     // kRawText
};

// The longest name the table holds; longer names are kInline.
inline constexpr std::size_t kMaxKnownElementName = 10;

// What the element `name` (any case) does to the text.
HtmlElement classify_element(std::string_view name);

}  // namespace tomes::parse
