// Placeholder until the HTML tokenizer lands: tags stripped, nothing decoded.
#include "parse/html_text.h"

namespace tomes::parse {

Status append_html_text(std::string_view bytes, const HtmlOptions& options, std::string* out,
                        bool* invalid_utf8) {
  const std::string text = decode_text(bytes, options.encoding, invalid_utf8);
  bool in_tag = false;
  for (char c : text) {
    if (c == '<') in_tag = true;
    else if (c == '>') { in_tag = false; out->push_back(' '); }
    else if (!in_tag) out->push_back(c);
    if (out->size() > options.max_text_bytes) {
      return Status::invalid_argument("the text is larger than the cap of " +
                                      std::to_string(options.max_text_bytes) + " bytes");
    }
  }
  return Status::ok();
}

}  // namespace tomes::parse
