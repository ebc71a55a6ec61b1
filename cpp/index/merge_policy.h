// merge_policy.h: which segments a writer merges after a commit, so that
// the segment count grows with the logarithm of the commits and deleted
// chunks do not pile up. A pure function of index.json's segment list.
//
// The rule, Lucene's LogByteSizeMergePolicy adapted to adjacent runs:
//   - A segment's size is its live bytes, bytes x live_docs / num_docs, and
//     its level is floor(log_F(max(size, floor_bytes) / floor_bytes)), F the
//     merge factor: level 0 below F x floor_bytes, level 1 below F^2 x
//     floor_bytes, and so on (exact in integers).
//   - From the left, the highest level among the segments not yet handled is
//     the current level, and the stretch up to the last segment of that level
//     (lower-level segments between included) is cut into windows of F
//     adjacent segments from its left; each full window is merged. The scan
//     goes on after the stretch, with the highest level of the rest.
//   - Merged windows are new segments (their size the sum of theirs, their
//     level recomputed) and the scan runs again, until it merges nothing: a
//     cascade is planned at once, and each planned run is written once from
//     its original segments.
//   - Last, a segment with at least max_deleted_fraction of its chunks
//     deleted that no run covers is rewritten alone (a run of one): the
//     rewrite drops its deleted chunks.
// With commits of equal size s >= floor_bytes the segments behave as a
// base-F counter: after n commits at most (F - 1) per level, so
// (F - 1) x (floor(log_F n) + 1) segments, and each byte is rewritten once
// per level it climbs: log_F n times. ARCHITECTURE.md "Merging segments"
// gives simulated figures (tests/cpp/test_merge_policy.cc prints them).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "segment/segment_info.h"

namespace tomes::index {

// Runs [begin, end) of adjacent segments, ascending and disjoint.
using MergeRuns = std::vector<std::pair<std::size_t, std::size_t>>;

struct MergePolicy {
  std::uint64_t merge_factor = 10;                  // F, REQUIRES: >= 2
  std::uint64_t floor_bytes = std::uint64_t{1} << 20;  // smaller segments count as this big; REQUIRES >= 1
  double max_deleted_fraction = 0.25;                // deleted_docs / num_docs that forces a rewrite
};

// A segment's live bytes (bytes x live_docs / num_docs; bytes if num_docs is 0).
std::uint64_t live_bytes(const segment::SegmentInfo& segment);

// The level of a segment of `size` live bytes under the policy.
std::uint32_t merge_level(std::uint64_t size, const MergePolicy& policy);

// True if the segment's deleted chunks reach the policy's fraction.
bool needs_rewrite(const segment::SegmentInfo& segment, const MergePolicy& policy);

// The runs to merge by the rule above; runs of one segment only for a
// segment that needs_rewrite.
MergeRuns plan_policy_merges(const std::vector<segment::SegmentInfo>& segments, const MergePolicy& policy);

// optimize's rule (merge_commit.h plan_max_segments): the runs [begin, end)
// of adjacent segments to merge (each of 2 or more), in order, so that
// sizes.size() - sum(end - begin - 1) <= max_segments: while more than
// max_segments remain, the adjacent pair whose total size is smallest is
// joined, the leftmost on ties; each run is then written once from its
// original segments. Small neighbours are merged first, so a merge
// rewrites as few bytes as it can for the count it reaches.
// REQUIRES: max_segments >= 1.
MergeRuns plan_merges(const std::vector<std::uint64_t>& sizes, std::uint64_t max_segments);

}  // namespace tomes::index
