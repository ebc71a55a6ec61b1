// merge_commit.h: merging some of a committed index's segments and
// committing the result, with the index lock already held: what optimize()
// does after taking the lock, and what the writer session (index_writer.h)
// does after each commit, by the merge policy (merge_policy.h).
//
// Which runs: MergeRule::kPolicy plans them with plan_policy_merges();
// MergeRule::kMaxSegments with plan_max_segments() (below): down to at most
// max_segments, and no deleted chunk left. Each run is merged once from its
// original segments (segment_merger.h), every input's deleted books
// dropped, as segment `k` of `generation`; a run whose every book is
// deleted (it cannot happen through index.json, which lists no such
// segment, but is defined) is left out and writes nothing. The new
// index.json lists, in order, the untouched segments and the merged ones,
// its doc ids laid out again (Manifest::recount(): base_doc_id = prefix
// sums of num_docs, so the doc ids of the segments after a merge that
// dropped chunks move down) and its totals the live sums. It is committed
// (temporary, fsync, rename) as `generation`; only then are the merged-away
// directories removed (best effort: open readers keep their mappings; the
// next writer removes what stays, index_files.h). Segments in no run keep
// their directories, names and deletes files.
//
// Thread safety: call from one thread at a time per index (the lock
// holder's); the merges run in an arena of `threads` threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "index/merge_policy.h"
#include "segment/manifest.h"

namespace tomes::index {

enum class MergeRule { kPolicy, kMaxSegments };

struct MergeCommitOptions {
  MergeRule rule = MergeRule::kPolicy;
  std::uint64_t max_segments = 1;  // kMaxSegments only; REQUIRES: >= 1
  unsigned threads = 0;            // 0: all cores
  // segment_merger.h's working set; the bytes written do not depend on it.
  std::uint64_t postings_per_group = std::uint64_t{1} << 22;
  MergePolicy policy;  // kPolicy only
};

// Called between steps, from the calling thread: segments merged so far (of
// the input's) and to merge in all. Returning false cancels (Cancelled; the
// committed generation stays).
using OptimizeProgress = std::function<bool(std::uint64_t segments_done, std::uint64_t segments_total)>;

// The runs [begin, end) of adjacent segments to merge so that at most
// max_segments remain, by plan_merges() over the segments' live bytes, plus
// a run of one for each segment with deletions that no run covers.
MergeRuns plan_max_segments(const std::vector<segment::SegmentInfo>& segments, std::uint64_t max_segments);

// committed: the manifest index_dir/index.json holds now. Plans merges by
// options.rule; if none, returns committed unchanged (nothing written).
// Else writes the merged segments as `generation`, commits index.json
// (generation = `generation`), removes the merged-away directories, and
// returns the new manifest. Cancel (progress returned false) or failure:
// removes what it wrote, returns the error (Cancelled; InvalidArgument for
// bad options; Corruption for a damaged input, whose every file's checksum
// is checked before its bytes are copied; IOError), and the committed
// generation stays.
// REQUIRES: the index lock held; committed is index.json's current content;
// no directory of `generation` exists and it is above every generation
// present (index_files.h next_generation()).
Result<segment::Manifest> merge_committed(const std::string& index_dir, const segment::Manifest& committed,
                                          std::uint64_t generation, const MergeCommitOptions& options,
                                          const OptimizeProgress& progress);

}  // namespace tomes::index
