// index_writer.h: a writer session over one index (SPEC 1 "tomes.writer"):
// it holds the index lock from open() until it is destroyed, and changes the
// index in place, a generation per commit():
//
//   add_files   books from files, parsed and written at once as new
//               segments of the session's generation (batch_runner.h);
//   add_texts   books given as text, buffered and written as a batch at the
//               next commit (or when batch_size / batch_bytes fill up);
//   remove      books by id: every chunk, recorded as deletions;
//   sync        the whole index brought in line with a folder;
//   commit      deletions written (deletions.h), index.json replaced (the
//               commit point), then the merge policy run (optimize.h).
//
// Adding an id that is live replaces it (upsert); a book whose text is a
// live book's is a duplicate (live_books.h has the rules). Nothing before
// commit() reaches index.json: rollback(), an error, or destroying the
// writer removes what the session wrote since its last commit.
//
// Thread safety: one thread at a time; the work inside runs on `threads`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analyzer.h"
#include "common/status.h"
#include "index/index_lock.h"
#include "index/live_books.h"
#include "index/pipeline.h"
#include "parse/book_files.h"
#include "segment/manifest.h"
#include "segment/segment_reader.h"

namespace tomes::index {

struct WriterOptions {
  // The analyzer, chunking and store_text of an index the session creates
  // (an existing index keeps its own, from index.json), and for every
  // session the batch sizes, threads and parse options.
  IndexOptions index;
  double lock_timeout = 0;  // seconds to wait for another writer
  bool merge = true;        // run the merge policy after each commit
};

// A book given as text.
struct TextBook {
  std::string id;
  std::string bytes;     // read as a .txt file holding them
  std::string metadata;  // a JSON object, or ""
};

// What one commit did, by book id (each id in at most one of the first five
// lists), against the index as the previous commit left it.
struct CommitReport {
  std::vector<std::string> added, replaced, deleted, unchanged;
  std::vector<std::string> not_found;  // remove() of ids that were not live
  std::vector<std::pair<std::string, std::string>> skipped;     // (id or path, reason)
  std::vector<std::pair<std::string, std::string>> duplicates;  // (id, the live id with its text)
  std::vector<std::string> invalid_utf8;
  std::uint64_t generation = 0;  // committed by this commit (and its merges)
  std::uint64_t books = 0, chunks = 0, segments = 0;  // the index after it: live
  std::uint64_t bytes_read = 0;
  std::uint64_t segments_merged = 0;  // segments the merge policy rewrote after the commit
  std::string merge_error;            // the commit stands; merging it failed
  double seconds = 0;
};

class IndexWriter {
 public:
  // Creates index_dir if needed, takes the lock (waiting lock_timeout),
  // reads what is committed (none: the first commit creates the index), and
  // removes leftovers. Corruption if index.json is damaged; Locked.
  static Result<std::unique_ptr<IndexWriter>> open(const std::string& index_dir, const WriterOptions& options,
                                                   const std::function<bool()>& should_stop);
  ~IndexWriter();
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  const std::string& dir() const { return dir_; }
  // The index as last committed (its settings are the session's).
  const segment::Manifest& committed() const { return committed_; }
  bool exists() const { return exists_; }  // false until the first commit of a new index

  // Indexes files as books (each BookFile's relative_path is its id).
  // InvalidArgument if an id repeats. On any error or Cancelled, everything
  // not committed is rolled back.
  Status add_files(std::vector<parse::BookFile> files, const ProgressFn& progress);
  // Buffers texts (a later one of the same id wins). InvalidArgument for an
  // empty id.
  Status add_texts(std::vector<TextBook> texts, const ProgressFn& progress);
  // Deletes books by id; ids not live go to the next report's not_found.
  void remove(const std::vector<std::string>& ids);
  // Brings the session's index in line with books_dir (tomes.sync): books
  // not in the folder deleted, new or changed files added, unchanged files
  // (same size and mtime, same metadata; with checksum, same text) left.
  // metadata: per book id, its JSON object. Commits nothing by itself.
  Status sync(const std::string& books_dir, bool checksum, const std::map<std::string, std::string>& metadata,
              const ProgressFn& progress);
  // Writes a generation (see above) and returns what it did. On failure the
  // committed generation stays and the session's changes are rolled back.
  Result<CommitReport> commit(const ProgressFn& progress);
  // Discards everything since the last commit.
  void rollback();

  // Files that adding a folder found but could not take (not regular
  // files...): listed in the next report's skipped.
  void note_skipped(const std::vector<parse::SkippedFile>& skipped) {
    for (const parse::SkippedFile& f : skipped) sync_skipped_.emplace_back(f.relative_path, f.reason);
  }
  // Where PDF text comes from for the calls that follow (not owned; null:
  // PDFs are skipped naming tomes[pdf]).
  void set_pdf_source(const parse::PdfTextSource* pdf) { options_.index.parse.pdf = pdf; }

 private:
  IndexWriter(std::string dir, const WriterOptions& options, IndexLock lock)
      : dir_(std::move(dir)), options_(options), lock_(std::move(lock)) {}
  Status load_committed();
  // readers_ for committed_'s segments, reusing those of `open` that a
  // commit left unchanged.
  Status open_readers(const std::vector<std::shared_ptr<segment::SegmentReader>>& open);
  Status run_books(const std::vector<parse::BookFile>& files, const ProgressFn& progress);
  Status flush_texts(const ProgressFn& progress);
  Result<segment::Manifest> working_manifest(std::vector<std::shared_ptr<segment::SegmentReader>>* readers);
  Status begin_generation();
  CommitReport make_report() const;
  void reset_session();

  const std::string dir_;
  WriterOptions options_;  // index's settings replaced by an existing index's
  IndexLock lock_;
  analysis::Analyzer analyzer_;
  segment::Manifest committed_;
  bool exists_ = false;
  std::vector<std::shared_ptr<segment::SegmentReader>> readers_;  // committed_'s segments
  LiveBooks live_;
  // The session since the last commit.
  std::uint64_t generation_ = 0;    // of the segments it writes
  std::uint64_t next_segment_ = 0;  // names 0 .. next_segment_ - 1 of it may exist
  std::vector<segment::SegmentInfo> written_;
  std::map<std::string, TextBook> texts_;
  std::uint64_t text_bytes_ = 0;
  IndexReport tally_;  // skipped, duplicates, invalid_utf8, bytes_read of the adds
  std::vector<std::string> not_found_;
  std::vector<std::pair<std::string, std::string>> sync_skipped_;
};

}  // namespace tomes::index
