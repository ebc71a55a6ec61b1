// book_format.h: which files are books (SPEC 2), by the extension of their
// name, and the format each extension names.
//
//   .txt          kPlainText     .html .htm   kHtml      .pdf   kPdf
//   .md           kMarkdown      .epub        kEpub
//
// A name is a book's when it ends with one of these, compared ASCII
// case-insensitively ("X.TXT", "x.Txt"); a hidden file named ".txt" counts.
// This is the one list of book extensions: collect_books and the extractors
// both read it.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

namespace tomes::parse {

enum class BookFormat { kNone, kPlainText, kMarkdown, kHtml, kEpub, kPdf };

// The format named by the extension of a file name (the last path component),
// or kNone when the name is not a book's.
BookFormat book_format_of(std::string_view name);

// "plain text", "Markdown", "HTML", "EPUB", "PDF" (for messages); "" for kNone.
const char* book_format_name(BookFormat format);

}  // namespace tomes::parse
