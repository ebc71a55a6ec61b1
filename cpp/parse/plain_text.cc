#include "parse/plain_text.h"

#include "parse/binary_text.h"
#include "parse/text_decode.h"

namespace tomes::parse {

Status check_extractable(const BookFile& book) {
  switch (book.format) {
    case BookFormat::kPlainText:
    case BookFormat::kMarkdown:
      return Status::ok();
    case BookFormat::kHtml:
    case BookFormat::kEpub:
    case BookFormat::kPdf:
      return Status::invalid_argument(book.path + ": " + book_format_name(book.format) +
                                      " books are not supported yet");
    case BookFormat::kNone:
      break;
  }
  return Status::invalid_argument(book.path + ": not a book (expected one of .txt .md .html "
                                  ".htm .epub .pdf)");
}

Result<std::string> extract_text(const BookFile& book, std::string_view bytes, TextEncoding encoding,
                                 bool* invalid_utf8) {
  if (invalid_utf8 != nullptr) *invalid_utf8 = false;
  if (Status s = check_extractable(book); !s.is_ok()) return s;
  // Plain text and Markdown: the bytes, decoded.
  std::string text = decode_text(bytes, encoding, invalid_utf8);
  if (text.empty()) {
    return Status::invalid_argument(book.path + (bytes.empty() ? ": no text: the file is empty"
                                                               : ": no text: only a byte order mark"));
  }
  // On the decoded text, not the bytes: what counts as garbage depends on
  // the encoding (UTF-16 text is full of NUL bytes, Latin-1's are all text).
  if (Status s = check_not_binary(text); !s.is_ok()) return Status::invalid_argument(book.path + ": " + s.message());
  return text;
}

}  // namespace tomes::parse
