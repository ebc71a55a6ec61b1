// segment_merger.h: a run of adjacent segments -> one segment directory, in
// the format segment_writer.h writes (segment/segment_format.h), streaming.
//
// Each input contributes its books but the dropped ones (its deleted books,
// deletes.h): the merged segment numbers the kept chunks densely, in run
// order, so input i's local doc d becomes map_i[d], and a dropped book's
// chunks have no id at all. Each file is built from the inputs' files
// without re-analysing anything:
//   - terms.fst, offsets.bin, postings: a k-way merge over the segments'
//     sorted dictionaries (term_union.h); each term's postings decoded from
//     each segment that has it (validated), the dropped docs' left out, the
//     others' ids mapped and concatenated in segment order, and re-encoded by
//     postings_writer.h (impacts recomputed from the merged doc lengths). A
//     term left with no posting gets no ordinal and no bytes. Terms are
//     encoded in groups of about postings_per_group input postings (or 65,536
//     terms, whichever comes first), in parallel within a group, and appended
//     in term order;
//   - doc_lengths.bin, chunks.bin, books.bin: the kept books' entries, in
//     order;
//   - text.bin: every kept book's stored blocks copied as they are (deflated
//     bytes are never inflated or re-deflated), the table rebuilt with the
//     new offsets.
// The result is byte for byte the segment write_segment() makes of the kept
// books in one batch (meta.json included), but for the directory's name.
// Nothing written depends on the thread count or on postings_per_group.
//
// Memory: the merged doc lengths (4 bytes a kept chunk, as the writer), for
// each input with dropped books a doc map (4 bytes a chunk of it), one
// dictionary stream per input, and one group of terms: their holders and
// encoded postings, and per thread one term's decoded postings. Never all
// postings of the run.
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
// index with the given store_text) without the books dropped_books[i] of
// run[i] (local book numbers, strictly ascending, each below run[i]'s book
// count; one list per input, empty to keep them all), as segment
// `index_dir/name`, through index_dir/.tmp-name, fsynced and renamed into
// place (segment_publish.h); not committed: index.json decides. The
// returned info has base_doc_id run[0]'s (Manifest::recount() lays it out)
// and no deletions.
// InvalidArgument, before anything is written, for a malformed
// dropped_books or when every book of the run is dropped: there is no empty
// segment; the caller leaves such a run out of index.json (merge_commit.h).
// On another error the temporary directory may remain (the caller removes
// it, or the next writer does: index_files.h).
// REQUIRES: run non-empty; the index lock held.
Result<segment::SegmentInfo> merge_segments(const std::vector<std::shared_ptr<segment::SegmentReader>>& run,
                                            const std::vector<std::vector<std::uint32_t>>& dropped_books,
                                            const std::string& index_dir, const std::string& name, bool store_text,
                                            const MergeOptions& options, tbb::task_arena& arena);

// The same, dropping each input's deleted books (its deletions().books).
Result<segment::SegmentInfo> merge_segments(const std::vector<std::shared_ptr<segment::SegmentReader>>& run,
                                            const std::string& index_dir, const std::string& name, bool store_text,
                                            const MergeOptions& options, tbb::task_arena& arena);

}  // namespace tomes::index
