// segment_writer.h: one Batch (batch.h) -> one segment directory
// (segment_format.h), written under a temporary name, every file fsynced,
// then renamed into place.
//
// Inversion is per batch and never a map<string, vector>: the distinct terms
// of each book are interned once into a batch-wide hash table (an arena of
// term bytes + ids), postings are laid out by a counting sort over term ids
// (so each list is in doc order as it is filled), terms are sorted once in
// parallel, postings are encoded in parallel over ranges of terms, and the
// FST is built from the sorted terms. The bytes written depend only on the
// batch, never on the thread count.
//
// Thread safety: write_segment() may run on any thread; it uses `arena` for
// its parallel steps and shares nothing else.
#pragma once

#include <cstdint>
#include <string>

#include <tbb/task_arena.h>

#include "common/status.h"
#include "index/batch.h"

namespace tomes::index {

struct SegmentInfo {
  std::string name;  // directory name inside the index directory
  std::uint64_t base_doc_id = 0;
  std::uint64_t num_docs = 0;
  std::uint64_t num_books = 0;
  std::uint64_t num_terms = 0;
  std::uint64_t total_length = 0;  // sum of the chunks' lengths
  std::uint64_t bytes = 0;         // all files
};

// Writes batch's books that are neither skipped nor duplicates as segment
// `index_dir/name`, through `index_dir/.tmp-name`. The caller renames nothing:
// on success the segment is in place (but not committed: index.json decides).
// REQUIRES: batch has at least one kept book.
Result<SegmentInfo> write_segment(const Batch& batch, const std::string& index_dir,
                                  const std::string& name, std::uint64_t base_doc_id, bool store_text,
                                  tbb::task_arena& arena);

}  // namespace tomes::index
