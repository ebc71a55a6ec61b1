#include "search/query.h"

#include <algorithm>

#include "analysis/unicode_tables.h"
#include "analysis/unicode_text.h"
#include "common/utf8.h"

namespace tomes::search {

namespace {

void add_distinct(std::vector<std::string>* list, std::string_view item) {
  if (std::find(list->begin(), list->end(), item) == list->end()) list->emplace_back(item);
}

}  // namespace

ParsedQuery parse_query(const analysis::Analyzer& analyzer, std::string_view query) {
  ParsedQuery parsed;
  std::string plain;  // the query without its prefix terms
  const auto* p = reinterpret_cast<const unsigned char*>(query.data());
  const auto* end = p + query.size();
  const auto* run_start = p;  // start of the current run of token characters
  bool in_run = false;
  const auto* copied = p;  // query bytes before this are in plain (or dropped)
  while (p < end) {
    char32_t cp;
    const std::size_t n = utf8::decode(p, end, &cp);
    const bool token_char = cp <= analysis::unicode::kMaxCodePoint &&
                            (analysis::unicode::info(cp).flags & analysis::unicode::kTokenChar) != 0;
    if (token_char) {
      if (!in_run) run_start = p;
      in_run = true;
    } else {
      if (cp == '*' && in_run) {
        const std::string_view token(reinterpret_cast<const char*>(run_start), static_cast<std::size_t>(p - run_start));
        const std::string prefix = analysis::fold(analysis::casefold(token));
        if (utf8::count_code_points(prefix.data(), prefix.size()) >= 2) add_distinct(&parsed.prefixes, prefix);
        plain.append(reinterpret_cast<const char*>(copied), static_cast<std::size_t>(run_start - copied));
        plain.push_back(' ');
        copied = p + n;
      }
      in_run = false;
    }
    p += n;
  }
  plain.append(reinterpret_cast<const char*>(copied), static_cast<std::size_t>(end - copied));
  analysis::TermList terms;
  analysis::analyze(analyzer, plain, &terms);
  for (std::size_t i = 0; i < terms.size(); ++i) add_distinct(&parsed.terms, terms[i]);
  return parsed;
}

}  // namespace tomes::search
