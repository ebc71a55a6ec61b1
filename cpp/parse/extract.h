// extract.h: a book file -> its text, by format (SPEC 2). The one entry point
// the pipeline calls for every book.
//
//   kPlainText, kMarkdown, kHtml   read_book_bytes (whole file, at most
//                                  max_text_bytes), then extract_text
//                                  (plain_text.h; HTML through html_text.h)
//   kEpub                          epub_text (epub.h): the archive is read
//                                  by offsets, never whole, so a large EPUB
//                                  (images) with a small text is indexed
//   kPdf                           options.pdf->text_of (pdf_bridge.h); with
//                                  no PDF source, skipped with the reason
//                                  naming the extra `tomes[pdf]`
//
// Every error message is book.path + ": " + reason (skip_reason() in
// book_files.h splits it); the reasons are the stable list of
// docs/ARCHITECTURE.md ("Skip reasons").
//
// Thread safety: as thread-safe as options.pdf (the rest is pure); call from
// any threads at once.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "parse/book_files.h"
#include "parse/pdf_bridge.h"
#include "parse/text_decode.h"

namespace tomes::parse {

struct ExtractOptions {
  TextEncoding encoding = TextEncoding::kUtf8;   // bytes without a BOM (text_decode.h)
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;  // SPEC 2's cap
  const PdfTextSource* pdf = nullptr;            // not owned; null: PDFs are skipped
};

struct ExtractInfo {
  bool invalid_utf8 = false;     // decode_text's flag (plain text, HTML)
  std::uint64_t bytes_read = 0;  // bytes of the file read (for MB/s)
};

// The text of book, valid UTF-8. *info (if given) is filled even on error.
Result<std::string> extract_book_text(const BookFile& book, const ExtractOptions& options,
                                      ExtractInfo* info = nullptr);

}  // namespace tomes::parse
