// optimize.h: merges an index's segments down to at most max_segments,
// leaving no deleted chunk: takes the lock, reads the committed manifest,
// removes earlier leftovers (index_files.h), and runs merge_committed()
// (merge_commit.h) with MergeRule::kMaxSegments under a new generation,
// committed exactly as index_corpus commits (SPEC 6). An index within
// max_segments and without deletions is left untouched.
//
// Thread safety: optimize() may be called from any thread; a second writer
// on the same index fails fast on the lock (IOError).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "index/merge_commit.h"

namespace tomes::index {

struct OptimizeOptions {
  std::uint64_t max_segments = 1;  // REQUIRES: >= 1
  unsigned threads = 0;            // 0: all cores
  // segment_merger.h's working set; the bytes written do not depend on it.
  std::uint64_t postings_per_group = std::uint64_t{1} << 22;
  double lock_timeout = 0;  // seconds to wait for another writer (index_lock.h)
};

struct OptimizeReport {
  std::uint64_t segments_before = 0, segments_after = 0;
  std::uint64_t bytes_before = 0, bytes_after = 0;  // index.json's segment bytes
  std::uint64_t generation = 0;  // committed after the run (unchanged if nothing was merged)
  bool merged = false;           // false: within max_segments and nothing deleted
  double seconds = 0;
};

// Merges index_dir's segments as planned and commits. NotFound if there is
// no index; IOError if another writer holds the lock; InvalidArgument for
// bad options; Corruption if a segment is damaged (nothing is committed);
// Cancelled if progress returned false.
Result<OptimizeReport> optimize(const std::string& index_dir, const OptimizeOptions& options,
                                const OptimizeProgress& progress);

}  // namespace tomes::index
