// segment_merger.h: a run of adjacent segments -> one segment directory, in
// the format segment_writer.h writes (segment/segment_format.h), streaming.
//
// Segments hold consecutive doc ranges (index.json), so merging adjacent
// ones keeps every doc id: the merged segment's local doc d of segment i is
// d + (the docs of segments 0..i-1 of the run). Each file is built from the
// inputs' files without re-analysing anything:
//   - terms.fst, offsets.bin, postings: a k-way merge over the segments'
//     sorted dictionaries (term_union.h); each term's postings decoded from
//     each segment that has it (validated), concatenated in segment order
//     with doc ids shifted, and re-encoded by postings_writer.h (impacts
//     recomputed from the merged doc lengths). Terms are encoded in groups of
//     about postings_per_group postings (or 65,536 terms, whichever comes
//     first), in parallel within a group, and appended in term order;
//   - doc_lengths.bin, chunks.bin: the inputs' entries concatenated;
//   - text.bin: every stored block copied as it is (deflated bytes are never
//     inflated or re-deflated), its table rebuilt with the new offsets.
// The result is byte for byte the segment write_segment() makes of the same
// books in one batch, but for meta.json's base_doc_id (the run's first doc,
// where a one-batch build of those books alone starts at 0), and for the
// directory's name. Nothing written depends on the thread count or on
// postings_per_group.
//
// Memory: the merged doc lengths (4 bytes a chunk, as the writer), one
// dictionary stream per input, and one group of terms: their holders and
// encoded postings, and per thread one term's decoded postings. Never all
// postings of the run.
//
// Deleted chunks (not built yet): the place to drop them is the doc shift,
// which would become a per-segment map from live local doc to merged doc
// applied to postings, doc lengths and chunk entries; with nothing deleted
// the map is the shift used here.
//
// Thread safety: merge_segments() may run on any thread; it reads the
// readers (immutable) and runs its parallel steps in `arena`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tbb/task_arena.h>

#include "common/status.h"
#include "segment/segment_info.h"
#include "segment/segment_reader.h"

namespace tomes::index {

struct MergeOptions {
  // Postings decoded and re-encoded per group (a working-set knob: the bytes
  // written do not depend on it). REQUIRES: >= 1.
  std::uint64_t postings_per_group = std::uint64_t{1} << 22;
  // Polled between groups; returning true cancels the merge (Cancelled).
  std::function<bool()> should_stop;
};

// Writes the merge of `run` (adjacent segments, in doc-id order, all of one
// index with the given store_text) as segment `index_dir/name`, through
// index_dir/.tmp-name, fsynced and renamed into place (segment_publish.h);
// not committed: index.json decides. The returned info has base_doc_id
// run[0]'s. On error the temporary directory may remain (the caller removes
// it, or the next writer does: index_files.h).
// REQUIRES: run non-empty; the index lock held.
Result<segment::SegmentInfo> merge_segments(const std::vector<std::shared_ptr<segment::SegmentReader>>& run,
                                            const std::string& index_dir, const std::string& name, bool store_text,
                                            const MergeOptions& options, tbb::task_arena& arena);

}  // namespace tomes::index
