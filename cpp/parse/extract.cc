#include "parse/extract.h"

#include "parse/epub.h"
#include "parse/plain_text.h"

namespace tomes::parse {

namespace {

Status with_path(const BookFile& book, const Status& s) {
  const std::string reason = skip_reason(s, book.path);
  if (s.code() == Status::Code::kIOError) return Status::io_error(book.path + ": " + reason);
  return Status::invalid_argument(book.path + ": " + reason);
}

Result<std::string> in_memory_text(const BookFile& book, const ExtractOptions& options, ExtractInfo* info) {
  if (book.content != nullptr) {
    info->bytes_read = book.content->size();
    if (book.content->size() > options.max_text_bytes) {
      return Status::invalid_argument(book.path + ": the text is larger than the cap of " +
                                      std::to_string(options.max_text_bytes) + " bytes");
    }
    return extract_text(book, *book.content, options.encoding, &info->invalid_utf8, options.max_text_bytes);
  }
  Result<std::string> bytes = read_book_bytes(book, options.max_text_bytes);
  if (!bytes.is_ok()) return bytes.status();
  info->bytes_read = bytes.value().size();
  return extract_text(book, bytes.value(), options.encoding, &info->invalid_utf8, options.max_text_bytes);
}

Result<std::string> epub_book_text(const BookFile& book, const ExtractOptions& options, ExtractInfo* info) {
  info->bytes_read = book.size;
  EpubOptions epub;
  epub.max_text_bytes = options.max_text_bytes;
  Result<std::string> text = epub_text(book.path, epub);
  if (!text.is_ok()) return with_path(book, text.status());
  return text;
}

Result<std::string> pdf_book_text(const BookFile& book, const ExtractOptions& options, ExtractInfo* info) {
  info->bytes_read = book.size;
  if (options.pdf == nullptr) {
    return Status::invalid_argument(book.path + ": PDF support is not installed (pip install 'tomes[pdf]')");
  }
  Result<std::string> text = options.pdf->text_of(book.path, options.max_text_bytes);
  if (!text.is_ok()) return with_path(book, text.status());
  return text;
}

}  // namespace

Result<std::string> extract_book_text(const BookFile& book, const ExtractOptions& options, ExtractInfo* info) {
  ExtractInfo scratch;
  if (info == nullptr) info = &scratch;
  *info = ExtractInfo{};
  switch (book.format) {
    case BookFormat::kEpub:
      return epub_book_text(book, options, info);
    case BookFormat::kPdf:
      return pdf_book_text(book, options, info);
    default:
      break;
  }
  // Refused before a byte is read when the format has no extractor.
  if (Status s = check_extractable(book); !s.is_ok()) return s;
  return in_memory_text(book, options, info);
}

}  // namespace tomes::parse
