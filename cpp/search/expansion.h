// expansion.h: the indexed terms a query term stands for (SPEC 7), looked
// up in every segment at once: the term itself, its fuzzy expansions, or a
// prefix's. Each comes with its entry in every segment holding it and its
// index-wide doc frequency, so scoring needs no second lookup.
//
// Frequencies are live (TermEntry::live_count: deleted books' postings left
// out), and a term's entry in a segment where it has no live posting is
// passed over: a term with no live posting anywhere is absent, as in an
// index built from the live books alone.
//
//   fuzzy:  the terms within the distance (Levenshtein, or with
//           transpositions optimal string alignment: fst/fst_fuzzy.h),
//           at most kMaxExpansions: lowest
//           distance first (an exact match first of all), then highest df,
//           then term order;
//   prefix: the terms starting with it, at most kMaxExpansions: highest df
//           first, then term order.
//
// Thread safety: reads the segments only; any number of calls at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "segment/segment_reader.h"

namespace tomes::search {

// Limits of SPEC 7.
inline constexpr std::size_t kMaxExpansions = 64;

using Segments = std::vector<std::shared_ptr<segment::SegmentReader>>;

// A term's entry in one segment.
struct SegmentTerm {
  const segment::SegmentReader* segment = nullptr;
  segment::TermEntry entry;
};

// An indexed term: its segments (in segment order) and index-wide df.
struct FoundTerm {
  std::string term;
  unsigned distance = 0;  // fuzzy edits from the query term
  std::uint64_t df = 0;
  std::vector<SegmentTerm> found;
};

// The exact term; out->df == 0 (and no segments) when the index lacks it.
Status find_exact(const Segments& segments, std::string_view term, FoundTerm* out);

// The fuzzy expansions of term. REQUIRES: distance <= fst::kMaxFuzzyDistance.
Status expand_fuzzy(const Segments& segments, const std::string& term, unsigned distance,
                    bool transpositions, std::vector<FoundTerm>* out);

// The expansions of a prefix.
Status expand_prefix(const Segments& segments, const std::string& prefix, std::vector<FoundTerm>* out);

// Calls visit(segment, term, entry) for every term starting with prefix
// that has a live posting in the segment, segment by segment, each in term
// order; stops at the first error, a
// damaged dictionary's or visit's. term is valid during the call.
Status for_each_prefix_term(
    const Segments& segments, std::string_view prefix,
    const std::function<Status(const segment::SegmentReader&, std::string_view, const segment::TermEntry&)>& visit);

}  // namespace tomes::search
