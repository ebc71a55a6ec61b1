// html_elements.h: what each HTML element does to the text (SPEC 2). The
// lists here are the whole rule; tests/python/html_reference.py states the
// same lists for the independent reference extractor.
//
//   kBlock    its start and end tags are line breaks, so the words on either
//             side never glue: address article aside audio blockquote body
//             br button canvas caption center dd details dialog dir div dl
//             dt embed fieldset figcaption figure footer form frame frameset
//             h1 h2 h3 h4 h5 h6 header hgroup hr html iframe img input
//             legend li listing main math menu nav object ol optgroup option
//             p plaintext pre section select summary svg table tbody td
//             textarea tfoot th thead title tr ul video xmp
//   kDropped  the text inside is not the book's: head noscript template
//             (nested ones counted: dropped until as many end tags as start
//             tags; a <body> start tag ends a <head> left open)
//   kRawText  dropped, and its content is not markup either: script style
//             (only "</script" or "</style" followed by whitespace, "/" or
//             ">" ends it, in any case)
//   kInline   every other element, known or not (a abbr b bdi bdo cite code
//             data del dfn em font i ins kbd label mark q s samp small span
//             strong sub sup time tt u var wbr ...): its tags are no
//             separator, so "wo<b>rd</b>" is one word.
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
