// html_text.h: an HTML (or XHTML) page's bytes -> the text of its body
// (SPEC 2).
//
// 1. Encoding (html_charset.h): a BOM, else an XML declaration's encoding,
//    else a <meta> charset in the first 1024 bytes, else options.encoding;
//    the bytes are decoded to UTF-8 with decode_text (text_decode.h).
// 2. A streaming tokenizer reads the UTF-8 text once, front to back, with no
//    recursion and no stack: the only state is a few counters, so no input
//    can make it recurse, go quadratic or use memory beyond the output.
//      <name ...>, </name ...>  tags (name: an ASCII letter, then anything
//          but whitespace, "/" and ">"; an attribute value in quotes may hold
//          ">"; an end tag ends at the first ">"); attribute values are not
//          text. EOF inside a tag drops the tag.
//      <!-- ... -->             comment, not text (HTML5's ends: "-->",
//          "--!>", and "<!-->" / "<!--->" are empty comments); EOF inside
//          one drops the rest.
//      <![CDATA[ ... ]]>        not text.
//      <!...>, <?...>, </ not followed by a letter ...>
//                               doctype, processing instruction, bogus
//                               comment: not text, up to the first ">".
//      "<" before anything else is text, so is "</" at the very end.
//    What the elements do (html_elements.h classifies them; names in ASCII
//    lower case):
//     kBlock    its start and end tags are line breaks, so the words on either
//               side never glue: address article aside audio blockquote body
//               br button canvas caption center dd details dialog dir div dl
//               dt embed fieldset figcaption figure footer form frame frameset
//               h1 h2 h3 h4 h5 h6 header hgroup hr html iframe img input
//               legend li listing main math menu nav object ol optgroup option
//               p plaintext pre section select summary svg table tbody td
//               textarea tfoot th thead title tr ul video xmp
//     kDropped  the text inside is not the book's: head noscript template
//               (nested ones counted: dropped until as many end tags as start
//               tags; a <body> start tag ends a <head> left open)
//     kRawText  dropped, and its content is not markup either: script style
//               (only "</script" or "</style" followed by whitespace, "/" or
//               ">" ends it, in any case)
//     kInline   every other element, known or not (a abbr b bdi bdo cite code
//               data del dfn em font i ins kbd label mark q s samp small span
//               strong sub sup time tt u var wbr ...): its tags are no
//               separator, so "wo<b>rd</b>" is one word.
//    options.xhtml: "<x/>" is a start and an end tag ("<script src="a.js"/>"
//    and "<head/>" drop nothing); in HTML "<x/>" is a start tag, as in HTML5
//    (but "<x a=b/>" is no "<x/>" in either: the '/' is part of the value).
// 3. Text between tags is copied as it is (whitespace included), with every
//    character reference decoded exactly as Python's html.unescape
//    (html_char_refs.h).
//
// The independent reference is tests/python/html_reference.py, built on
// Python's html.parser: on markup that html.parser parses as HTML5 does, the
// terms of both texts are the same. Where they part (html.parser: "</ a>" is
// an end tag; "-- >" ends a comment; "</script >" but not "</script x>" ends a
// script; EOF inside a tag or comment gives text; a start tag it cannot parse
// becomes text), tomes follows HTML5.
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
  // "the text is larger than the cap of N bytes" instead (what *out gained
  // is then a prefix of the page's text).
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;
};

// Appends the text of the page to *out (valid UTF-8 always). *invalid_utf8
// (if given) is set when the page's bytes were read in options.encoding (no
// BOM, no declared charset) and were not valid UTF-8: what tells a user to
// try "auto".
Status append_html_text(std::string_view bytes, const HtmlOptions& options, std::string* out,
                        bool* invalid_utf8 = nullptr);

// The tokenizer of step 2-3 on text that is already UTF-8 (the EPUB reader's
// entry, after its own decoding). REQUIRES: text is valid UTF-8.
Status append_html_text_utf8(std::string_view text, const HtmlOptions& options, std::string* out);

}  // namespace tomes::parse
