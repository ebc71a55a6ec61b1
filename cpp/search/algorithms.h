// algorithms.h: the query algorithms (SPEC 7's top-k BM25), one signature.
//
// Each scores one segment: cursors (cursor.h) are the segment's indexed
// terms the query stands for, and group[i] the query term cursor i belongs
// to (0, 1, ... in query order): a query term is one indexed term or a group
// of its fuzzy / prefix expansions (SPEC 7), and a doc takes, per group, the
// max of its cursors' scores there. The groups being flat lists of cursors,
// an expansion prunes like any term: a rare one is essential, a common one
// looked up only when the doc can still win. base is the segment's first
// global doc id; the k best (base + doc, score) go into the collector,
// which carries its threshold from segment to segment (top_k.h). Every
// algorithm gives exactly the same hits and scores: a doc's score is the sum
// of its groups' scores in query order, whatever order an algorithm visits
// cursors in, and a doc is skipped only when an upper bound of its score
// cannot beat the threshold (bm25.h cannot_beat).
//
//   exhaustive      every doc of every posting list (document at a time):
//                   the oracle the others are tested against.
//   max_score       MaxScore (Turtle & Flood 1995) with block-max bounds:
//                   the longest lists whose max scores together cannot beat
//                   the threshold are "non-essential": only docs of the others
//                   are candidates, skipped a window at a time when their
//                   blocks' bounds fall short, and the non-essential ones
//                   are looked up (next_geq) only while the candidate can
//                   still win, first by their term bounds, then by their
//                   block bounds. A lone essential cursor's posting that
//                   cannot win even with every other bound is passed over
//                   without its division; a one-cursor query skips blocks
//                   and scores only postings that may beat the threshold.
//   block_max_wand  block-max WAND (Ding & Suel 2011): cursors sorted by
//                   doc, a pivot where the max scores first exceed the
//                   threshold, the pivot checked against the block bounds
//                   (shallow moves), whole blocks skipped when they fall
//                   short.
//
// Thread safety: each call uses only its arguments.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "search/cursor.h"
#include "search/top_k.h"

namespace tomes::search {

using QueryAlgorithm = void (*)(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group,
                                std::uint32_t base, TopK* top);

void exhaustive(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
                TopK* top);
void max_score(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
               TopK* top);
void block_max_wand(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group,
                    std::uint32_t base, TopK* top);

enum class Algorithm { kDefault, kExhaustive, kMaxScore, kBlockMaxWand };

// The function of an algorithm; kDefault is the one measured fastest
// (docs/ARCHITECTURE.md, "Search").
QueryAlgorithm algorithm_function(Algorithm algorithm);

// "exhaustive", "maxscore", "bmw", "default".
const char* algorithm_name(Algorithm algorithm);
// false if name is none of those.
bool parse_algorithm(std::string_view name, Algorithm* out);

}  // namespace tomes::search
