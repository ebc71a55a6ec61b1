// optimize.h: merges an index's segments down to at most max_segments
// (segment_merger.h), committed as a new generation exactly as index_corpus
// commits (SPEC 6): the merged segments are written under the new
// generation's names, index.json is replaced (temporary, fsync, rename), and
// only then are the merged-away segment directories removed (open readers
// keep their mappings; leftovers of a crash are removed by the next writer,
// index_files.h). Segments outside every merged run keep their directories
// and names. An index already within max_segments is left untouched.
//
// The rule (plan_merges): while more than max_segments remain, merge the
// adjacent pair whose total size (index.json's bytes) is smallest, the
// leftmost on ties. Each merged run is then written once, from its original
// segments. Small neighbours are merged first, so a merge rewrites as few
// bytes as it can for the count it reaches.
//
// Thread safety: optimize() may be called from any thread; a second writer
// on the same index fails fast on the lock (IOError).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tomes::index {

struct OptimizeOptions {
  std::uint64_t max_segments = 1;  // REQUIRES: >= 1
  unsigned threads = 0;            // 0: all cores
  // segment_merger.h's working set; the bytes written do not depend on it.
  std::uint64_t postings_per_group = std::uint64_t{1} << 22;
};

struct OptimizeReport {
  std::uint64_t segments_before = 0, segments_after = 0;
  std::uint64_t bytes_before = 0, bytes_after = 0;  // index.json's segment bytes
  std::uint64_t generation = 0;  // committed after the run (unchanged if nothing was merged)
  bool merged = false;           // false: the index was within max_segments
  double seconds = 0;
};

// Called between steps, from the calling thread: segments merged so far (of
// the input's) and to merge in all. Returning false cancels (Cancelled; the
// committed generation stays).
using OptimizeProgress = std::function<bool(std::uint64_t segments_done, std::uint64_t segments_total)>;

// The runs [begin, end) of adjacent segments to merge (each of 2 or more),
// in order, so that sizes.size() - sum(end - begin - 1) <= max_segments, by
// the rule above. REQUIRES: max_segments >= 1.
std::vector<std::pair<std::size_t, std::size_t>> plan_merges(const std::vector<std::uint64_t>& sizes,
                                                             std::uint64_t max_segments);

// Merges index_dir's segments as planned and commits. NotFound if there is
// no index; IOError if another writer holds the lock; InvalidArgument for
// bad options; Corruption if a segment is damaged (nothing is committed).
Result<OptimizeReport> optimize(const std::string& index_dir, const OptimizeOptions& options,
                                const OptimizeProgress& progress);

}  // namespace tomes::index
