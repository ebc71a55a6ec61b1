#include "index/batch_runner.h"

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
#include <thread>

#include "common/file_system.h"
#include "index/book_settler.h"
#include "index/index_files.h"
#include "index/segment_writer.h"
#include "segment/segment_format.h"

namespace tomes::index {

using segment::kTextFile;
using segment::SegmentInfo;

namespace {

using Clock = std::chrono::steady_clock;

// Serializes and throttles progress calls made from parsing threads.
class ProgressReporter {
 public:
  ProgressReporter(const ProgressFn& fn, std::uint64_t books_total, std::uint64_t bytes_total)
      : fn_(fn), books_total_(books_total), bytes_total_(bytes_total) {}

  void book_done(std::uint64_t bytes) {
    books_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    report(false);
  }
  // force: report even if the last report was recent.
  void report(bool force) {
    if (!fn_ || cancelled_.load(std::memory_order_relaxed)) return;
    const auto now = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    if (force) {
      lock.lock();
    } else {
      if (now - last_.load(std::memory_order_relaxed) < std::chrono::milliseconds(100)) return;
      if (!lock.try_lock()) return;
    }
    last_.store(now, std::memory_order_relaxed);
    if (!fn_(books_.load(), books_total_, bytes_.load(), bytes_total_)) cancelled_.store(true);
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  const ProgressFn& fn_;
  const std::uint64_t books_total_;
  const std::uint64_t bytes_total_;
  std::atomic<std::uint64_t> books_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<Clock::time_point> last_{Clock::time_point{}};
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
};

// Hands memory freed by a finished batch back to the system. glibc keeps
// freed blocks of a few hundred KB (a book's pairs) in its arenas, where the
// next batch, allocated by other threads, may not reuse them: without this
// the process's RSS creeps up batch after batch.
void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// write_segment, with anything thrown (out of memory) turned into a Status:
// an exception must not escape a std::thread.
Result<SegmentInfo> write_segment_safely(Batch& batch, const std::string& index_dir, const std::string& name,
                                         std::uint64_t base_doc_id, const IndexOptions& options,
                                         tbb::task_arena& arena) {
  try {
    return write_segment(batch, index_dir, name, base_doc_id, options.parse.store_text, options.postings_per_pass,
                         arena);
  } catch (const std::bad_alloc&) {
    return Status::io_error(index_dir + "/" + name + ": out of memory while writing the segment "
                                                   "(try a smaller batch_bytes)");
  } catch (const std::exception& e) {
    return Status::io_error(index_dir + "/" + name + ": " + e.what());
  }
}

// The write stage: a thread that writes each pushed batch as the next
// segment (doc ids following the previous one's) while the next batch is
// parsed. Its parallel steps run in an arena of its own, so they never queue
// behind parsing.
//
// The queue holds one batch and push() blocks while it is full: with the one
// being parsed and the one being written, at most three batches are alive.
// After a write fails the error is kept and later batches are popped
// unwritten, so push() never blocks for good.
//
// Thread safety: push(), failed() and finish() are called from one thread.
class SegmentWriterThread {
 public:
  // Starts the thread. REQUIRES: index_dir and options outlive this object.
  SegmentWriterThread(const std::string& index_dir, const IndexOptions& options, unsigned threads)
      : index_dir_(index_dir), options_(options), arena_(static_cast<int>(threads)) {
    queue_.set_capacity(1);
    thread_ = std::thread([this] { run(); });
  }
  // Stops the thread if finish() was not called: a joinable std::thread
  // must not be destroyed.
  ~SegmentWriterThread() {
    // Only reached when the run already failed elsewhere: its status is
    // the one reported, a write error after it adds nothing.
    if (thread_.joinable()) static_cast<void>(finish());
  }
  SegmentWriterThread(const SegmentWriterThread&) = delete;
  SegmentWriterThread& operator=(const SegmentWriterThread&) = delete;

  // Queues batch as the next segment; blocks while the queue is full.
  // REQUIRES: batch has a kept book; finish() not called.
  void push(std::unique_ptr<Batch> batch) { queue_.push(std::move(batch)); }
  // A write failed: batches pushed from now on are dropped.
  bool failed() const { return failed_.load(); }
  // Lets the thread write what is queued, joins it, and returns the first
  // write error or ok. REQUIRES: called once.
  Status finish() {
    queue_.push(nullptr);
    thread_.join();
    return status_;
  }
  // The segments written, in doc-id order. REQUIRES: finish() was called.
  std::vector<SegmentInfo>& segments() { return segments_; }

 private:
  // The thread: pops until the end marker (nullptr).
  void run() {
    std::uint64_t next_doc = 0;
    while (true) {
      std::unique_ptr<Batch> batch;
      queue_.pop(batch);
      if (!batch) return;
      if (!status_.is_ok()) continue;  // drain, so the main thread never blocks
      Result<SegmentInfo> info =
          write_segment_safely(*batch, index_dir_, batch->segment_name, next_doc, options_, arena_);
      if (!info.is_ok()) {
        status_ = info.status();
        failed_.store(true);
        continue;
      }
      next_doc += info.value().num_docs;
      segments_.push_back(std::move(info).value());
      batch.reset();
      release_free_memory();
    }
  }

  const std::string& index_dir_;
  const IndexOptions& options_;
  tbb::task_arena arena_;
  tbb::concurrent_bounded_queue<std::unique_ptr<Batch>> queue_;
  Status status_;                    // written by the writer thread only; read after the join
  std::atomic<bool> failed_{false};  // status_ is not ok (read by the main thread)
  std::vector<SegmentInfo> segments_;
  std::thread thread_;  // last: started once every member it uses exists
};

// Adds a parsed and settled batch (the corpus's books [first, first +
// batch.books.size())) to report, books named by their book ids; true if any
// of its books is kept.
bool tally_batch(const Batch& batch, const std::vector<parse::BookFile>& files, std::size_t first,
                 IndexReport* report) {
  bool any = false;
  for (std::size_t i = 0; i < batch.books.size(); ++i) {
    const ParsedBook& book = batch.books[i];
    report->bytes_read += book.bytes_read;
    if (book.skipped) {
      report->skipped.emplace_back(files[first + i].relative_path, book.skip_reason);
    } else if (book.unchanged) {
      continue;  // the hook reports it
    } else if (book.duplicate) {
      report->duplicates.emplace_back(files[first + i].relative_path, book.duplicate_of_id.empty()
                                                                          ? files[book.duplicate_of].relative_path
                                                                          : book.duplicate_of_id);
    } else {
      ++report->books;
      report->chunks += book.chunks.size();
      if (book.invalid_utf8) report->invalid_utf8.push_back(book.relative_path);
      any = true;
    }
  }
  return any;
}

// The parse stage: cuts the corpus into batches, parses each batch's books
// on `threads` threads of an arena of its own (BookParser), settles them in
// book order (book_settler.h), reports progress, and pushes every batch with
// a kept book to the writer. Batch n is named segment n of the generation.
//
// Thread safety: run() is called from one thread, which parallelizes itself.
class CorpusParser {
 public:
  // REQUIRES: run, corpus, analyzer and progress outlive this object.
  CorpusParser(const BatchRun& run, const std::vector<parse::BookFile>& files, std::uint64_t bytes,
               const analysis::Analyzer& analyzer, unsigned threads, const ProgressFn& progress)
      : run_(run),
        files_(files),
        threads_(threads),
        arena_(static_cast<int>(threads)),
        parsers_([&analyzer, &run] { return BookParser(analyzer, run.options.parse); }),
        reporter_(progress, files.size(), bytes) {
    settler_.set_hook(run.hook);
  }

  // Parses batch after batch until the corpus is done, a step fails, the
  // writer has failed, or progress cancels (Cancelled). Tallies into report.
  // May throw (out of memory, from the parse).
  Status run(SegmentWriterThread& writer, IndexReport* report) {
    while (next_ < files_.size() && !writer.failed()) {
      const std::size_t first = next_;
      const std::size_t end = batch_end(first);
      auto batch = std::make_unique<Batch>();
      batch->segment_name = segment_name(run_.generation, run_.first_segment + segments_pushed_);
      batch->books.resize(end - first);
      if (Status s = parse_batch(first, batch.get()); !s.is_ok()) return s;
      next_ = end;
      if (tally_batch(*batch, files_, first, report)) {
        writer.push(std::move(batch));
        ++segments_pushed_;
      } else if (run_.options.parse.store_text) {
        // Its text file holds nothing kept. Best effort: the next batch, named
        // the same, or the clean-up after the commit removes it too.
        (void)remove_tree(segment_dir(*batch));
      }
    }
    return Status::ok();
  }

  // Batches pushed; the one after them may have been begun.
  std::uint64_t segments_pushed() const { return segments_pushed_; }

 private:
  // The end of the batch starting at `first`: batch_size books, batch_bytes
  // of files, at least one book.
  std::size_t batch_end(std::size_t first) const {
    std::size_t end = first;
    std::uint64_t bytes = 0;
    while (end < files_.size() && end - first < run_.options.batch_size &&
           (end == first || bytes + files_[end].size <= run_.options.batch_bytes)) {
      bytes += files_[end].size;
      ++end;
    }
    return end;
  }

  // The segment's temporary directory, where write_segment writes it.
  std::string segment_dir(const Batch& batch) const {
    return run_.index_dir + "/" + temporary_segment_name(batch.segment_name);
  }

  // The path of the batch's text file, or "" without store_text. With
  // store_text, the text goes straight to the segment's temporary directory
  // as books are settled (book_settler.h), not held in memory; the directory
  // is made anew.
  Result<std::string> begin_text_file(const Batch& batch) const {
    if (!run_.options.parse.store_text) return std::string();
    const std::string dir = segment_dir(batch);
    Status status = remove_tree(dir);
    if (status.is_ok()) status = make_directory(dir);
    if (!status.is_ok()) return status;
    return dir + "/" + std::string(kTextFile);
  }

  // Parses and settles the books of batch, the corpus's [first, first +
  // batch->books.size()). Cancelled if progress asked to stop.
  Status parse_batch(std::size_t first, Batch* batch) {
    Result<std::string> text_path = begin_text_file(*batch);
    if (!text_path.is_ok()) return text_path.status();
    if (Status s = settler_.begin(batch, first, text_path.value()); !s.is_ok()) return s;
    parse_books(first, batch);
    if (Status s = settler_.finish(); !s.is_ok()) return s;
    reporter_.report(true);
    if (reporter_.cancelled()) return Status::cancelled("indexing was cancelled; the index is unchanged");
    return Status::ok();
  }

  // Parses the books of batch in parallel and hands each to the settler; a
  // book met after a cancel is marked skipped, unread.
  void parse_books(std::size_t first, Batch* batch) {
    const std::size_t end = first + batch->books.size();
    // Books are claimed in order (not split into ranges, as parallel_for
    // would), so the settled prefix trails the parsing by about one book
    // per thread.
    std::atomic<std::size_t> claim{first};
    arena_.execute([&] {
      tbb::parallel_for(
          0u, threads_,
          [&](unsigned) {
            for (std::size_t i = claim.fetch_add(1); i < end; i = claim.fetch_add(1)) {
              ParsedBook& book = batch->books[i - first];
              if (reporter_.cancelled()) {
                book.skipped = true;
              } else {
                parsers_.local().parse(files_[i], batch->dictionary.get(), &book);
                reporter_.book_done(files_[i].size);
              }
              settler_.book_parsed(i);
            }
          },
          tbb::simple_partitioner());
    });
  }

  const BatchRun& run_;
  const std::vector<parse::BookFile>& files_;
  const unsigned threads_;
  tbb::task_arena arena_;
  tbb::enumerable_thread_specific<BookParser> parsers_;
  ProgressReporter reporter_;
  BookSettler settler_;
  std::size_t next_ = 0;  // the first book not yet in a batch
  std::uint64_t segments_pushed_ = 0;
};

// parser.run(), with anything thrown (out of memory) turned into a Status:
// the writer thread must still be stopped and joined.
Status parse_corpus_safely(CorpusParser& parser, SegmentWriterThread& writer, const std::string& books_dir,
                           IndexReport* report) {
  try {
    return parser.run(writer, report);
  } catch (const std::bad_alloc&) {
    return Status::io_error(books_dir + ": out of memory while parsing books (try a smaller batch_bytes)");
  } catch (const std::exception& e) {
    return Status::io_error(books_dir + ": " + e.what());
  }
}

// Runs both stages at once (pipeline.h) and waits for the writer to finish.
}  // namespace

segment::IndexSettings index_settings(const IndexOptions& options, const analysis::Analyzer& analyzer) {
  segment::IndexSettings settings;
  settings.stopwords_name = options.stopwords_name;
  settings.stopwords = analyzer.stopwords().words();
  settings.stemmer = options.stemmer;
  settings.chunk_size = options.parse.chunk_size;
  settings.chunk_overlap = options.parse.chunk_overlap;
  settings.store_text = options.parse.store_text;
  return settings;
}

Written parse_and_write(const BatchRun& run, const std::vector<parse::BookFile>& files, std::uint64_t bytes,
                        const analysis::Analyzer& analyzer, const ProgressFn& progress, IndexReport* report) {
  const unsigned threads = run.options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                                    : run.options.threads;
  // Two arenas of `threads` each, parsing and writing, so neither waits for
  // the other's tasks: sharing one, the writer's parallel steps queued behind
  // a whole batch of parsing, and the last segments were written with the
  // parse threads idle. Each arena is its master thread plus threads - 1
  // TBB workers; TBB keeps hardware_concurrency - 1 workers by default.
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, 2 * threads - 1);
  CorpusParser parser(run, files, bytes, analyzer, threads, progress);
  SegmentWriterThread writer(run.index_dir, run.options, threads);
  Written written;
  written.status = parse_corpus_safely(parser, writer, run.books_dir, report);
  const Status write_status = writer.finish();
  if (written.status.is_ok()) written.status = write_status;
  written.segments = std::move(writer.segments());
  // A batch past the last pushed may have been begun (its text directory).
  written.names_used = run.first_segment + parser.segments_pushed() + 1;
  return written;
}

}  // namespace tomes::index
