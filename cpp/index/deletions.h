// deletions.h: the write side of a delete. Deleting books rewrites no
// segment: each segment that loses books gets a new deletes file
// (segment/deletes.h) listing all its deleted books as of the new commit,
// with, per term, how many of its postings those books held, so that search
// can use live document frequencies (N, avgdl and df of the live chunks:
// scores equal an index built from the live books alone).
//
// The per-term counts of the newly deleted books are found by one pass over
// the segment's postings restricted to their chunks: each term's cursor
// leaps (next_geq, through the skip table) from one deleted doc range to
// the next, so a term is read only where it meets deleted docs. Terms are
// counted in parallel; each count lands in its ordinal's slot, so the
// result, and the file, do not depend on the thread count.
//
// Thread safety: apply_deletions may be called from any thread; it uses
// the arena's threads. REQUIRES the index lock (index_lock.h).
#pragma once

#include <tbb/task_arena.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "segment/deletes.h"
#include "segment/manifest.h"
#include "segment/segment_reader.h"

namespace tomes::index {

// For each i with new_books[i] non-empty (local books of
// manifest->segments[i], ascending, none already deleted): the cumulative
// record = the old one (readers[i]->deletions()) plus the new books, whose
// per-term deleted postings are counted as above. Writes
// deletes_<generation>.bin in the segment's directory and updates
// manifest->segments[i] (deletes, deletes_bytes, deletes_crc32, bytes,
// deleted_books/docs/length). A segment left with no live book gets no file
// and is removed from manifest->segments. Then manifest->recount(). Commits
// nothing: writing index.json is the caller's (the old deletes files stay
// until clean_leftovers runs after that commit).
//
// InvalidArgument if the vectors' sizes differ from the manifest's segment
// count, a reader is not of its segment (name or deletes file differ), or a
// book list is not ascending, repeats, is out of range or names a deleted
// book; Corruption if a postings list is damaged; IOError from the writes.
// On error, files may have been written (under this generation's names,
// which nothing committed names) and *manifest is unspecified.
// REQUIRES: readers[i] opened on manifest->segments[i]; the index lock held.
Status apply_deletions(const std::string& index_dir,
                       const std::vector<std::shared_ptr<segment::SegmentReader>>& readers,
                       const std::vector<std::vector<std::uint32_t>>& new_books, std::uint64_t generation,
                       segment::Manifest* manifest, tbb::task_arena& arena);

// The per-term counts alone: for each ordinal with at least one posting in
// docs of `books` (local books of reader, ascending), (ordinal, count), in
// ordinal order. The pass apply_deletions makes; exposed for tests.
Result<std::vector<std::pair<std::uint32_t, std::uint32_t>>> count_deleted_postings(
    const segment::SegmentReader& reader, const std::vector<std::uint32_t>& books, tbb::task_arena& arena);

}  // namespace tomes::index
