// html_charset.h: the encoding an HTML page's bytes declare (SPEC 2).
//
// In order, the first that applies:
//   1. a byte order mark (EF BB BF, FF FE, FE FF): decode_text honours it
//      whatever encoding it is handed, so it wins;
//   2. an XML declaration at offset 0, <?xml ... encoding="LABEL" ?> (the
//      usual way EPUB chapters say it);
//   3. a <meta charset="LABEL"> or <meta http-equiv="Content-Type"
//      content="text/html; charset=LABEL"> within the first 1024 bytes
//      (HTML5's prescan, simplified: comments and other tags are skipped;
//      a meta whose label is unknown does not stop the scan);
//   4. otherwise `fallback` (HtmlOptions::encoding).
// Labels, trimmed and in any case, as HTML5 maps them:
//   utf-8 utf8 unicode-1-1-utf-8 ...                -> kUtf8
//   iso-8859-1 latin1 l1 us-ascii ascii cp1252
//   windows-1252 cp819 ibm819 iso_8859-1 ...        -> kCp1252
//   utf-16 utf-16le utf-16be unicode ucs-2 ...      -> kUtf8 (a page that
//       reached us as bytes with no BOM is not UTF-16, HTML5 says)
//   anything else (shift_jis, koi8-r, ...)          -> `fallback`
// One difference from HTML5's windows-1252: decode_text's kCp1252 gives
// U+FFFD for the five bytes Windows-1252 leaves undefined (81 8D 8F 90 9D)
// where browsers give U+0081...; they are not text either way.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "parse/text_decode.h"

namespace tomes::parse {

// The encoding a charset label names, or nullopt for a label tomes does not
// decode (see the table above).
std::optional<TextEncoding> html_encoding_of_label(std::string_view label);

// The encoding to decode `bytes` with (steps 2-4 above; with a BOM the
// result does not matter). *declared (if given) says whether the page named
// it (steps 2-3) rather than `fallback` being used.
TextEncoding sniff_html_encoding(std::string_view bytes, TextEncoding fallback, bool* declared = nullptr);

}  // namespace tomes::parse
