// batch_runner.h: the two stages of SPEC 5 over a list of book files, shared
// by index_corpus (pipeline.h) and the writer session (index_writer.h):
//
//   this thread: cuts the files into batches (batch_size books, batch_bytes
//     of files), parses each batch's books on `threads` threads (BookParser),
//     settles them in book order (book_settler.h), and pushes every batch
//     with a kept book through a tbb::concurrent_bounded_queue of capacity 1
//     to
//   one writer thread: write_segment() per batch while the next is parsed,
//     its parallel steps in an arena of its own.
//
// Batch n of a run is written as segment `first_segment + n` of the run's
// generation, under its final name but not committed: index.json, written
// by the caller, decides. Backpressure bounds memory to three batches.
//
// Thread safety: parse_and_write() may be called from any thread, one run at
// a time per index (the caller holds the index lock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "common/status.h"
#include "index/book_settler.h"
#include "index/pipeline.h"
#include "parse/book_files.h"
#include "segment/manifest.h"
#include "segment/segment_info.h"

namespace tomes::index {

// One run's fixed inputs.
struct BatchRun {
  const std::string& books_dir;  // named in messages about the books
  const std::string& index_dir;
  const IndexOptions& options;
  std::uint64_t generation;      // of every segment name this run writes
  std::uint64_t first_segment = 0;
  // Judges each parsed book against the live index (writer sessions); null:
  // duplicates are judged within the run (index_corpus).
  SettleHook* hook = nullptr;
};

// The settings index.json records for an index built with options (its
// analyzer made from them): what every query and later write must repeat.
segment::IndexSettings index_settings(const IndexOptions& options, const analysis::Analyzer& analyzer);

// What the parse and write stages leave.
struct Written {
  Status status;  // the parse's error, else the writer's, else ok
  std::vector<segment::SegmentInfo> segments;  // in doc order; base_doc_id from 0 within the run
  std::uint64_t names_used = 0;  // segment numbers 0 .. names_used - 1 may exist
};

// Indexes files (in that order) as the run's segments, and tallies into
// report: books, chunks, skipped, duplicates, invalid_utf8, bytes_read.
// Cancelled if progress returned false.
Written parse_and_write(const BatchRun& run, const std::vector<parse::BookFile>& files, std::uint64_t bytes,
                        const analysis::Analyzer& analyzer, const ProgressFn& progress, IndexReport* report);

}  // namespace tomes::index
