// query.h: a query string -> the terms to score (SPEC 7).
//
// The text is analyzed exactly like a chunk, with the index's analyzer;
// repeated terms count once (first occurrence order). A token immediately
// followed by '*' is a prefix term instead: case-folded and folded (SPEC 3
// steps 2 and 5), never a stopword, never stemmed, never fuzzy; a prefix of
// fewer than 2 code points is ignored.
//
// Thread safety: pure function; the analyzer may be shared.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.h"

namespace tomes::search {

struct ParsedQuery {
  std::vector<std::string> terms;     // distinct, in order of first occurrence
  std::vector<std::string> prefixes;  // distinct, in order of first occurrence
};

ParsedQuery parse_query(const analysis::Analyzer& analyzer, std::string_view query);

}  // namespace tomes::search
