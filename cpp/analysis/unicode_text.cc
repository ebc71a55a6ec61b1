#include "analysis/unicode_text.h"

#include "analysis/unicode_tables.h"
#include "common/utf8.h"

namespace tomes::analysis {

namespace {

// Calls emit(info, bytes of the code point) for every code point of text.
template <class Emit>
void for_each_code_point(std::string_view text, Emit&& emit) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    const bool invalid = cp == utf8::kReplacement && len == 1;
    emit(unicode::info(cp), invalid ? std::string_view("\xEF\xBF\xBD")
                                    : std::string_view(reinterpret_cast<const char*>(p), len));
    p += len;
  }
}

}  // namespace

void append_casefolded(std::string_view text, std::string& out) {
  for_each_code_point(text, [&](const unicode::CodePointInfo& info, std::string_view bytes) {
    if (info.flags & unicode::kCasefoldSame) {
      out.append(bytes);
    } else {
      out.append(unicode::casefold_bytes(info));
    }
  });
}

void append_folded(std::string_view text, std::string& out) {
  for_each_code_point(text, [&](const unicode::CodePointInfo& info, std::string_view bytes) {
    if (info.flags & unicode::kFoldSame) {
      out.append(bytes);
    } else {
      out.append(unicode::fold_bytes(info));
    }
  });
}

}  // namespace tomes::analysis
