// plain_text.h: a book's bytes -> its text, by format (SPEC 2).
//
// extract_text is the one entry point the pipeline calls for every book; it
// dispatches on book.format (from the file's extension, book_format.h):
//
//   kPlainText, kMarkdown   decode_text (text_decode.h): the bytes as text,
//                           Markdown markup kept (it is the author's text)
//   kHtml                   append_html_text (html_text.h): the body's text,
//                           in the encoding the page declares (else the one
//                           asked for)
//   kEpub, kPdf             not here: InvalidArgument "<path>: EPUB books are
//                           not supported yet" (extract.h reads them by path)
//
// The bytes of a plain text book are decoded in the encoding asked for
// (text_decode.h; a BOM wins). A book whose text comes out empty is refused
// ("<path>: no text: the file is empty", or "... only a byte order mark"),
// and so is one whose text looks binary (binary_text.h: "<path>: binary
// content: ..."), so the pipeline skips it with that reason; text made only
// of whitespace is returned and simply yields no chunks. An HTML page is
// refused when the file is empty or only a BOM (the same reasons), when its
// text is over max_text_bytes ("<path>: the text is larger than the cap of N
// bytes"), when its text is empty or whitespace only ("<path>: no text: only
// markup", e.g. a frameset or a redirect page), and when its text looks
// binary. Every error message is
// book.path + ": " + reason (skip_reason() in book_files.h splits it).
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parse/book_files.h"
#include "parse/text_decode.h"

namespace tomes::parse {

// OK if book's format has an extractor, else the error extract_text() would
// give: for refusing a book before reading its bytes.
Status check_extractable(const BookFile& book);

// The text of a book whose bytes are given, as valid UTF-8. *invalid_utf8
// (if given) says whether the decoded bytes were not valid UTF-8
// (decode_text; for HTML only bytes read in `encoding`, no charset declared,
// count: html_text.h); it is set even when the book is then refused.
// max_text_bytes caps an HTML page's text (html_text.h); plain text is no
// longer than its bytes, which read_book_bytes caps.
Result<std::string> extract_text(const BookFile& book, std::string_view bytes,
                                 TextEncoding encoding = TextEncoding::kUtf8, bool* invalid_utf8 = nullptr,
                                 std::uint64_t max_text_bytes = std::uint64_t{256} << 20);

}  // namespace tomes::parse
