// segment_writer.h: one Batch (batch.h) -> one segment directory
// (segment/segment_format.h), written under a temporary name, every file
// fsynced, then renamed into place. Each file is written through its
// writer in cpp/segment, beside the reader that reads it back.
//
// Inversion is per batch and never a map<string, vector>: the parsers have
// already interned every term into the batch's dictionary (a sharded hash
// table over an arena) and packed each chunk's (term id, tf) pairs as
// varints. The writer sorts the terms once in parallel (their ranks, in
// byte order), rewrites every book's pairs by rank in parallel while
// counting document frequencies, lays postings out by a counting sort over
// ranks in passes (each chunk's pairs are in rank order, so a pass resumes
// every chunk where the previous one stopped and each pair is read once),
// encodes them in parallel over ranges of terms, streams them to the files,
// and builds the FST from the sorted terms. The bytes written depend only on
// the batch, never on the thread count.
//
// Thread safety: write_segment() may run on any thread; it uses `arena` for
// its parallel steps and shares nothing else.
#pragma once

#include <cstdint>
#include <string>

#include <tbb/task_arena.h>

#include "common/status.h"
#include "index/batch.h"
#include "segment/segment_info.h"

namespace tomes::index {

// Writes batch's books that are neither skipped nor duplicates as segment
// `index_dir/name`, through `index_dir/.tmp-name`. The caller renames nothing:
// on success the segment is in place (but not committed: index.json decides).
// The books' pairs are rewritten by rank: the batch is spent afterwards.
// Postings are inverted postings_per_pass (doc, tf) pairs at a time: a batch
// with more is inverted in several passes, one range of term ranks each, so
// the writer's arrays stay at 8 x postings_per_pass bytes (the bytes written
// do not depend on it).
// REQUIRES: batch has at least one kept book; postings_per_pass >= 1.
Result<segment::SegmentInfo> write_segment(Batch& batch, const std::string& index_dir,
                                  const std::string& name, std::uint64_t base_doc_id, bool store_text,
                                  std::uint64_t postings_per_pass, tbb::task_arena& arena);

}  // namespace tomes::index
