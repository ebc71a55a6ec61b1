// pipeline.h: books in, committed index out (SPEC 5), the seed writer's
// design in C++ with TBB:
//
//   main thread: collect the books, then per batch a tbb::parallel_for over
//     its books (read, decode, fingerprint, chunk, analyze: BookParser), then
//     in book order mark skips and duplicates, and push the batch into
//   a tbb::concurrent_bounded_queue of capacity 1, to
//   one writer thread: write_segment() per batch while the next is parsed,
//     its parallel steps in an arena of its own (never queued behind parsing).
//
// Backpressure bounds memory to three batches: one parsing, one queued, one
// being written. The commit is index.json (segment/manifest.h), replaced last; a run
// that fails or is cancelled removes what it wrote and leaves the previous
// index as it was. One writer per index (index_lock.h).
//
// Thread safety: index_corpus() may be called from any thread; concurrent
// calls on the same index_dir fail fast on the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "index/book_parser.h"

namespace tomes::index {

struct IndexOptions {
  ParseOptions parse;  // chunking, stored text
  // The analyzer (recorded in index.json with parse's fields).
  std::string stopwords_name;          // "", "english", "portuguese" or "custom"
  std::vector<std::string> stopwords;  // the entries
  std::string stemmer;                 // "", "english" or "portuguese"
  std::uint32_t batch_size = 1000;
  std::uint64_t batch_bytes = std::uint64_t{256} << 20;
  unsigned threads = 0;  // 0: all cores
  bool overwrite = false;
  // The segment writer's working set: postings inverted per pass (see
  // write_segment); a tuning knob, the output does not depend on it.
  std::uint64_t postings_per_pass = std::uint64_t{1} << 22;
};

struct IndexReport {
  std::uint64_t books = 0;
  std::uint64_t chunks = 0;
  std::uint64_t segments = 0;
  // Files are named relative to books_dir, as book ids are (raw bytes, '/'
  // between components), so a report's names match search hits'.
  std::vector<std::pair<std::string, std::string>> skipped;     // (relative path, reason)
  std::vector<std::pair<std::string, std::string>> duplicates;  // (book id, first book's id)
  // Kept books whose bytes were not valid UTF-8 (in every encoding: with
  // kUtf8 their text has U+FFFDs, with kAuto it was read as Windows-1252),
  // as book ids (relative paths), in index order.
  std::vector<std::string> invalid_utf8;
  double seconds = 0;
  std::uint64_t bytes_read = 0;
};

// Called now and then (at most every ~100 ms, and at the end of each batch),
// from any one thread at a time. Returning false cancels the run.
using ProgressFn = std::function<bool(std::uint64_t books_done, std::uint64_t books_total,
                                      std::uint64_t bytes_done, std::uint64_t bytes_total)>;

// Indexes books_dir into index_dir. InvalidArgument for bad options, IOError
// for an unusable directory, a held lock or (without overwrite) an existing
// index; Cancelled when progress returned false (the index is unchanged);
// errors of the writer (disk full...) come back as they happened.
Result<IndexReport> index_corpus(const std::string& books_dir, const std::string& index_dir,
                                 const IndexOptions& options, const ProgressFn& progress);

}  // namespace tomes::index
