#include "parse/epub.h"

namespace tomes::parse {

Result<std::string> epub_text(const std::string&, const EpubOptions&) {
  return Status::invalid_argument("EPUB books are not supported yet");
}

}  // namespace tomes::parse
