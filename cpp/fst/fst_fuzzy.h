// fst_fuzzy.h: the keys of an FST within a Levenshtein distance of a query.
//
// Distance counts insertions, deletions and substitutions of Unicode code
// points. Keys and query are read as UTF-8 by utf8::decode's rules: a
// well-formed sequence is one code point; any other byte is one unit of its
// own, equal only to the same byte (Python: bytes.decode("utf-8",
// "surrogateescape") gives the same units).
//
// The search walks the FST depth first in key order, carrying one row of the
// edit-distance matrix per code point of the path; a branch is dropped as soon
// as every cell of its row exceeds the bound (cells never decrease as a key
// grows), so the work depends on the keys near the query, not on the FST's
// size. Bytes of a code point still incomplete wait in a small buffer.
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
// ... or after examining this many transitions (each costs a row update even
// when its branch dies at once), which bounds a call to about a second.
inline constexpr std::uint64_t kMaxFuzzyTransitions = std::uint64_t{1} << 24;

// Calls emit(key, value, distance) for every key within max_distance of
// query, in key order. REQUIRES: max_distance <= kMaxFuzzyDistance.
Status fuzzy_search(const FstReader& reader, std::string_view query, unsigned max_distance,
                    const std::function<void(std::string_view key, std::uint64_t value,
                                             unsigned distance)>& emit);

}  // namespace tomes::fst
