// cursor.h: the search stage's cursors, and the one contract they keep.
//
// THE CONTRACT (every cursor here, and postings::PostingsCursor under them):
//   - doc() is the current doc id (segment-local), or kNoDoc once exhausted;
//     kNoDoc compares greater than every doc id, so "the smallest doc()" of a
//     set of cursors is the next candidate without a special case.
//   - next() moves to the following posting; next_geq(t) to the first posting
//     with doc >= t, skipping whole blocks through the skip table without
//     decoding them. Neither ever moves backwards: next_geq(t) with
//     t <= doc() does nothing.
//   - score() is the current posting's BM25 contribution (bm25.h);
//     max_score() bounds every score() of the cursor. may_beat(t) is false
//     only when score() surely cannot beat threshold t (bm25.h
//     cannot_beat), and costs no division.
//   - shallow_next_geq(t) moves only the block-max view: block_last_doc()
//     and block_max_score() then describe the block holding the first
//     posting >= t (block_last_doc() = kNoDoc and block_max_score() = 0 when
//     no posting is >= t). It decodes nothing, and it too never moves back.
//     Every posting with t <= doc <= block_last_doc() scores at most
//     block_max_score(). It may lag or run ahead of doc(); the two views are
//     independent.
//   - size() is the number of postings (MaxScore leaves the longest lists
//     non-essential first).
//   - status() is Corruption once damage was found (the cursor is then
//     exhausted); sticky. Algorithms check it after the run.
//
// TermCursor is one indexed term in one segment, with its BM25 weight.
// (A query term's fuzzy or prefix expansions are one TermCursor each,
// grouped by the algorithms: algorithms.h.)
//
// Thread safety: a cursor belongs to one thread. REQUIRES: the segment (its
// mapped postings and doc lengths) outlives the cursor.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "postings/postings_format.h"
#include "postings/postings_reader.h"
#include "search/bm25.h"

namespace tomes::search {

using postings::kNoDoc;

class TermCursor {
 public:
  // Opens a term's postings (postings/postings_reader.h) and stands on its
  // first posting. doc_lengths: the segment's, num_docs entries.
  TermCursor(std::string_view docs_region, std::string_view freqs_region, std::uint32_t count,
             std::uint32_t num_docs, const std::uint32_t* doc_lengths, const Bm25& weight);

  std::uint32_t doc() const { return cursor_.doc(); }
  std::uint32_t freq() const { return cursor_.freq(); }
  void next() { cursor_.next(); }
  void next_geq(std::uint32_t target) { cursor_.next_geq(target); }
  // REQUIRES: doc() != kNoDoc.
  double score() const { return weight_.score(cursor_.freq(), lengths_[cursor_.doc()]); }
  double max_score() const { return max_score_; }
  bool may_beat(double threshold) const {
    return weight_.may_beat(cursor_.freq(), lengths_[cursor_.doc()], threshold);
  }

  void shallow_next_geq(std::uint32_t target) {
    if (target > shallow_last_) move_shallow(target);
  }
  std::uint32_t block_last_doc() const { return shallow_last_; }
  double block_max_score() const { return shallow_bound_; }

  const Status& status() const { return cursor_.status(); }
  std::uint32_t size() const { return cursor_.size(); }

 private:
  void move_shallow(std::uint32_t target);
  // The bound of block i, from its impacts (skip table, or the one block).
  double block_bound(std::uint32_t i) const;

  postings::PostingsCursor cursor_;
  const std::uint32_t* lengths_;
  Bm25 weight_;
  double max_score_ = 0;
  std::uint32_t shallow_block_ = 0;
  std::uint32_t shallow_last_ = 0;
  double shallow_bound_ = 0;
};

}  // namespace tomes::search
