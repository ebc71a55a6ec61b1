#include "parse/plain_text.h"

#include "parse/binary_text.h"
#include "parse/html_text.h"
#include "parse/text_decode.h"

namespace tomes::parse {

Status check_extractable(const BookFile& book) {
  switch (book.format) {
    case BookFormat::kPlainText:
    case BookFormat::kMarkdown:
    case BookFormat::kHtml:
      return Status::ok();
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

namespace {

bool only_a_bom(std::string_view bytes) {
  return bytes == "\xEF\xBB\xBF" || bytes == "\xFF\xFE" || bytes == "\xFE\xFF";
}

bool all_whitespace(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

Result<std::string> html_text(const BookFile& book, std::string_view bytes, TextEncoding encoding,
                              bool* invalid_utf8, std::uint64_t max_text_bytes) {
  if (bytes.empty() || only_a_bom(bytes)) {
    return Status::invalid_argument(book.path + (bytes.empty() ? ": no text: the file is empty"
                                                               : ": no text: only a byte order mark"));
  }
  HtmlOptions options;
  options.encoding = encoding;
  options.max_text_bytes = max_text_bytes;
  std::string text;
  if (Status s = append_html_text(bytes, options, &text, invalid_utf8); !s.is_ok()) {
    return Status::invalid_argument(book.path + ": " + s.message());
  }
  // ASCII whitespace only: a page of nothing but U+00A0 is rare enough to
  // go through and yield no chunks.
  if (all_whitespace(text)) return Status::invalid_argument(book.path + ": no text: only markup");
  return text;
}

}  // namespace

Result<std::string> extract_text(const BookFile& book, std::string_view bytes, TextEncoding encoding,
                                 bool* invalid_utf8, std::uint64_t max_text_bytes) {
  if (invalid_utf8 != nullptr) *invalid_utf8 = false;
  if (Status s = check_extractable(book); !s.is_ok()) return s;
  std::string text;
  if (book.format == BookFormat::kHtml) {
    Result<std::string> html = html_text(book, bytes, encoding, invalid_utf8, max_text_bytes);
    if (!html.is_ok()) return html.status();
    text = std::move(html.value());
  } else {
    // Plain text and Markdown: the bytes, decoded.
    text = decode_text(bytes, encoding, invalid_utf8);
    if (text.empty()) {
      return Status::invalid_argument(book.path + (bytes.empty() ? ": no text: the file is empty"
                                                                 : ": no text: only a byte order mark"));
    }
  }
  // On the decoded text, not the bytes: what counts as garbage depends on
  // the encoding (UTF-16 text is full of NUL bytes, Latin-1's are all text).
  if (Status s = check_not_binary(text); !s.is_ok()) return Status::invalid_argument(book.path + ": " + s.message());
  return text;
}

}  // namespace tomes::parse
