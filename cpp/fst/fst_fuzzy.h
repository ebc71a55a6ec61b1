// fst_fuzzy.h: the keys of an FST within an edit distance of a query.
//
// Distance counts insertions, deletions and substitutions of Unicode code
// points (Levenshtein), and with FuzzyOptions::transpositions also swaps of
// two adjacent code points ("wahle" -> "whale" is one edit). The latter is
// the optimal string alignment distance (OSA, as Lucene's and tantivy's
// fuzzy queries count by default): no substring is edited twice, so
// OSA("ca", "abc") = 3 where unrestricted Damerau-Levenshtein gives 2.
//
// Keys and query are read as UTF-8 by utf8::decode's rules: a well-formed
// sequence is one code point; any other byte is one unit of its own, equal
// only to the same byte (Python: bytes.decode("utf-8", "surrogateescape")
// gives the same units). A key whose last sequence is incomplete counts each
// of those bytes as a unit.
//
// The search walks the FST depth first in key order, carrying the band of
// the edit-distance matrix's row (2 * max_distance + 1 cells) per code point
// of the path (two rows with transpositions); a branch is dropped as soon as
// every cell of its row exceeds the bound (cells never decrease as a key
// grows, swaps included), and where only a query unit can keep a branch
// alive, the other transitions are skipped after one byte comparison. So the
// work depends on the keys near the query, not on the FST's size: on a
// 200k-term segment dictionary (zipf-1G) a search visits ~500 states at d=1
// (~45 us) and ~5,600 at d=2 (~0.55 ms), about 75-100 ns a state.
//
// Thread safety: as FstReader: any number of searches at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "common/status.h"
#include "fst/fst_reader.h"

namespace tomes::fst {

inline constexpr unsigned kMaxFuzzyDistance = 2;
// A search stops with InvalidArgument after visiting this many states. Real
// dictionaries need far fewer (a d=2 search of 5M terms takes ~10 ms); a
// crafted FST can hold astronomically many keys near a term.
inline constexpr std::uint64_t kMaxFuzzyVisits = std::uint64_t{1} << 21;
// ... or after examining this many transitions (each costs at most a row
// update even when its branch dies at once), which bounds a call to about a
// second.
inline constexpr std::uint64_t kMaxFuzzyTransitions = std::uint64_t{1} << 24;

struct FuzzyOptions {
  unsigned max_distance = 1;    // REQUIRES: <= kMaxFuzzyDistance
  bool transpositions = false;  // an adjacent swap costs one edit (OSA)
};

// Receives each key found, its value and its distance to the query. The key
// is valid only during the call.
using FuzzyEmit = std::function<void(std::string_view key, std::uint64_t value, unsigned distance)>;

// Calls emit(key, value, distance) for every key within options.max_distance
// of query, in key order, with the distance the options define. Errors:
// InvalidArgument for a distance above kMaxFuzzyDistance or a search past
// kMaxFuzzyVisits / kMaxFuzzyTransitions (keys already emitted stay
// emitted); Corruption for a damaged FST.
Status fuzzy_search(const FstReader& reader, std::string_view query, FuzzyOptions options,
                    const FuzzyEmit& emit);

// Plain Levenshtein (SPEC 7's default): fuzzy_search(reader, query,
// FuzzyOptions{max_distance, false}, emit).
Status fuzzy_search(const FstReader& reader, std::string_view query, unsigned max_distance,
                    const FuzzyEmit& emit);

}  // namespace tomes::fst
