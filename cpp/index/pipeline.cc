#include "index/pipeline.h"

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "analysis/unicode_tables.h"
#include "common/file_system.h"
#include "index/batch_runner.h"
#include "index/index_files.h"
#include "index/index_lock.h"
#include "index/segment_writer.h"
#include "parse/book_files.h"
#include "segment/manifest.h"
#include "segment/segment_format.h"

// index_corpus runs these steps, each below with its own contract:
//   validate the options;
//   prepare_index_dir: create, lock, read what is committed, clean_leftovers,
//     next_generation;
//   collect_corpus: the books, in index order;
//   make_analyzer (analyzer.h);
//   parse_and_write: a CorpusParser on this thread feeds a
//     SegmentWriterThread batch by batch;
//   commit_or_roll_back: index.json, or remove_generation on any failure;
//   remove the previous generation's segments.

namespace tomes::index {

using segment::kTextFile;
using segment::Manifest;
using segment::read_manifest;
using segment::SegmentInfo;
using segment::write_manifest;

namespace {

using Clock = std::chrono::steady_clock;

Status validate(const IndexOptions& o) {
  if (Status s = chunk::check_chunk_options(o.parse.chunk_size, o.parse.chunk_overlap); !s.is_ok()) return s;
  if (o.batch_size == 0) return Status::invalid_argument("batch_size must be at least 1");
  if (o.batch_bytes == 0) return Status::invalid_argument("batch_bytes must be at least 1");
  if (o.postings_per_pass == 0) return Status::invalid_argument("postings_per_pass must be at least 1");
  if (o.parse.max_text_bytes == 0) return Status::invalid_argument("the text cap must be at least 1 byte");
  return Status::ok();
}

// What index.json commits when a run starts.
struct Committed {
  std::uint64_t generation = 0;
  std::set<std::string> segments;
  bool known = true;  // false: index.json is unreadable, so what it lists is unknown
};

// Reads what is committed. An index there is refused (IOError) unless
// overwrite. An unreadable index.json (damaged, or from another version) is
// replaced in overwrite mode, but its segments stay until the new index is
// committed.
Result<Committed> read_committed(const std::string& index_dir, bool overwrite) {
  Result<Manifest> previous = read_manifest(index_dir);
  Committed committed;
  if (!previous.is_ok() && previous.status().code() == Status::Code::kNotFound) return committed;
  if (!overwrite) {
    // Worded for any caller: Python's index_corpus and the CLI check first
    // and name their own switch (mode="overwrite", --overwrite); C++ callers
    // and a run racing another one see this.
    return Status::io_error(index_dir + ": already holds an index (index.json), and overwriting it was not "
                                        "asked for");
  }
  if (!previous.is_ok()) {
    committed.known = false;
    return committed;
  }
  committed.generation = previous.value().generation;
  for (const SegmentInfo& s : previous.value().segments) committed.segments.insert(s.name);
  return committed;
}

// An index directory ready for a run: locked for as long as this lives,
// cleared of what earlier runs left, and the generation of this run's names.
struct PreparedIndexDir {
  IndexLock lock;
  std::uint64_t generation;
};

// Creates index_dir if missing and prepares it (PreparedIndexDir). IOError
// if another writer holds the lock.
Result<PreparedIndexDir> prepare_index_dir(const std::string& index_dir, bool overwrite) {
  if (Status s = make_directories(index_dir); !s.is_ok()) return s;
  Result<IndexLock> lock = IndexLock::acquire(index_dir);
  if (!lock.is_ok()) return lock.status();
  Result<Committed> committed = read_committed(index_dir, overwrite);
  if (!committed.is_ok()) return committed.status();
  const Committed& c = committed.value();
  if (Status s = clean_leftovers(index_dir, c.segments, c.known); !s.is_ok()) return s;
  Result<std::uint64_t> generation = next_generation(index_dir, c.generation);
  if (!generation.is_ok()) return generation.status();
  return PreparedIndexDir{std::move(lock).value(), generation.value()};
}

// The books of a run, in index order (parse::collect_books).
struct Corpus {
  std::vector<parse::BookFile> files;
  std::uint64_t bytes = 0;  // the files' total size
};

// Lists the books under books_dir; the files that are not books go to
// report->skipped, named relative to books_dir.
Result<Corpus> collect_corpus(const std::string& books_dir, IndexReport* report) {
  Corpus corpus;
  std::vector<parse::SkippedFile> skipped;
  if (Status s = parse::collect_books(books_dir, &corpus.files, &skipped); !s.is_ok()) return s;
  for (const parse::SkippedFile& f : skipped) {
    report->skipped.emplace_back(f.relative_path, f.reason);
  }
  for (const parse::BookFile& f : corpus.files) corpus.bytes += f.size;
  return corpus;
}

// The manifest committing segments as the run's generation, with the
// settings every query must use.
Manifest make_manifest(const BatchRun& run, const analysis::Analyzer& analyzer, std::vector<SegmentInfo> segments) {
  Manifest manifest;
  manifest.generation = run.generation;
  manifest.settings = index_settings(run.options, analyzer);
  manifest.unicode_version = analysis::unicode::kUnicodeVersion;
  manifest.segments = std::move(segments);
  for (const SegmentInfo& s : manifest.segments) {
    manifest.total_docs += s.num_docs;
    manifest.total_books += s.num_books;
    manifest.total_length += s.total_length;
  }
  return manifest;
}

// Writes index.json, the commit. InvalidArgument if doc ids would not fit
// 32 bits.
Status commit_manifest(const std::string& index_dir, const Manifest& manifest) {
  if (manifest.total_docs > UINT32_MAX) {
    return Status::invalid_argument("more than 2^32 - 1 chunks: split the corpus into several indexes");
  }
  return write_manifest(index_dir, manifest);
}

// Commits what the run wrote; if the run or the commit failed, removes
// everything the run wrote or began instead (the generation is this run's
// own: no reader knows its names) and returns the error.
Result<Manifest> commit_or_roll_back(const BatchRun& run, const analysis::Analyzer& analyzer, Written written) {
  Status status = written.status;
  if (status.is_ok()) {
    Manifest manifest = make_manifest(run, analyzer, std::move(written.segments));
    status = commit_manifest(run.index_dir, manifest);
    if (status.is_ok()) return manifest;
  }
  remove_generation(run.index_dir, run.generation, written.names_used);
  return status;
}

// After the commit: removes the segments manifest does not list, the
// previous generation's (open readers keep their mappings; the files vanish
// when they close). Best effort: the run has succeeded, and what stays is
// removed by the next run.
void remove_uncommitted(const std::string& index_dir, const Manifest& manifest) {
  std::set<std::string> keep;
  for (const SegmentInfo& s : manifest.segments) keep.insert(s.name);
  (void)clean_leftovers(index_dir, keep, true);
}

}  // namespace

Result<IndexReport> index_corpus(const std::string& books_dir, const std::string& index_dir,
                                 const IndexOptions& options, const ProgressFn& progress) {
  const auto started = Clock::now();
  if (Status s = validate(options); !s.is_ok()) return s;
  if (!is_directory(books_dir)) return Status::io_error(books_dir + ": books_dir is not a directory");
  Result<PreparedIndexDir> dir = prepare_index_dir(index_dir, options.overwrite);
  if (!dir.is_ok()) return dir.status();
  const BatchRun run{books_dir, index_dir, options, dir.value().generation};
  IndexReport report;
  Result<Corpus> corpus = collect_corpus(books_dir, &report);
  if (!corpus.is_ok()) return corpus.status();
  Result<analysis::Analyzer> analyzer = analysis::make_analyzer(options.stopwords, options.stemmer);
  if (!analyzer.is_ok()) return analyzer.status();
  Written written =
      parse_and_write(run, corpus.value().files, corpus.value().bytes, analyzer.value(), progress, &report);
  Result<Manifest> manifest = commit_or_roll_back(run, analyzer.value(), std::move(written));
  if (!manifest.is_ok()) return manifest.status();
  remove_uncommitted(index_dir, manifest.value());
  report.segments = manifest.value().segments.size();
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace tomes::index
