// plain_text.h: a book's bytes -> its text, by format (SPEC 2).
//
// extract_text is the one entry point the pipeline calls for every book; it
// dispatches on book.format (from the file's extension, book_format.h):
//
//   kPlainText, kMarkdown   decode_text (text_decode.h): the bytes as text,
//                           Markdown markup kept (it is the author's text)
//   kHtml, kEpub, kPdf      not yet: InvalidArgument "<path>: HTML books are
//                           not supported yet" (each gets its own extractor
//                           header beside this one, and a case here)
//
// The bytes of a plain text book are decoded in the encoding asked for
// (text_decode.h; a BOM wins). A book whose text comes out empty is refused
// ("<path>: no text: the file is empty", or "... only a byte order mark"),
// and so is one whose text looks binary (binary_text.h: "<path>: binary
// content: ..."), so the pipeline skips it with that reason; text made only
// of whitespace is returned and simply yields no chunks. Every error message is
// book.path + ": " + reason (skip_reason() in book_files.h splits it).
//
// Thread safety: pure function.
#pragma once

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
// (decode_text); it is set even when the book is then refused.
Result<std::string> extract_text(const BookFile& book, std::string_view bytes,
                                 TextEncoding encoding = TextEncoding::kUtf8, bool* invalid_utf8 = nullptr);

}  // namespace tomes::parse
