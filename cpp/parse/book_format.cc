#include "parse/book_format.h"

#include <cstddef>

namespace tomes::parse {

namespace {

struct Extension {
  std::string_view suffix;  // lowercase, with the dot
  BookFormat format;
};

constexpr Extension kExtensions[] = {
    {".txt", BookFormat::kPlainText}, {".md", BookFormat::kMarkdown},
    {".html", BookFormat::kHtml},     {".htm", BookFormat::kHtml},
    {".epub", BookFormat::kEpub},     {".pdf", BookFormat::kPdf},
};

bool ends_with_ascii_nocase(std::string_view name, std::string_view lower_suffix) {
  if (name.size() < lower_suffix.size()) return false;
  const std::size_t offset = name.size() - lower_suffix.size();
  for (std::size_t i = 0; i < lower_suffix.size(); ++i) {
    char c = name[offset + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_suffix[i]) return false;
  }
  return true;
}

}  // namespace

BookFormat book_format_of(std::string_view name) {
  for (const Extension& e : kExtensions) {
    if (ends_with_ascii_nocase(name, e.suffix)) return e.format;
  }
  return BookFormat::kNone;
}

const char* book_format_name(BookFormat format) {
  switch (format) {
    case BookFormat::kNone: return "";
    case BookFormat::kPlainText: return "plain text";
    case BookFormat::kMarkdown: return "Markdown";
    case BookFormat::kHtml: return "HTML";
    case BookFormat::kEpub: return "EPUB";
    case BookFormat::kPdf: return "PDF";
  }
  return "";
}

}  // namespace tomes::parse
