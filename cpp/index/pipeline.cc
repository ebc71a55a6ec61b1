#include "index/pipeline.h"

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "analysis/unicode_tables.h"
#include "common/file_system.h"
#include "index/book_settler.h"
#include "index/index_lock.h"
#include "index/segment_writer.h"
#include "parse/book_files.h"
#include "segment/manifest.h"
#include "segment/segment_format.h"

namespace tomes::index {

using segment::kManifestFile;
using segment::kTextFile;
using segment::Manifest;
using segment::read_manifest;
using segment::SegmentInfo;
using segment::write_manifest;

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

std::string segment_name(std::uint64_t generation, std::uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "segment_%06llu_%06llu", static_cast<unsigned long long>(generation),
                static_cast<unsigned long long>(number));
  return buf;
}

// segment_<6+ digits>_<6+ digits>, as segment_name() writes them; *generation
// gets the first number.
bool parse_segment_name(const std::string& name, std::uint64_t* generation) {
  unsigned long long g = 0, n = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "segment_%llu_%llu%c", &g, &n, &tail) != 2) return false;
  if (segment_name(g, n) != name) return false;
  *generation = g;
  return true;
}

Status validate(const IndexOptions& o) {
  if (Status s = chunk::check_chunk_options(o.parse.chunk_size, o.parse.chunk_overlap); !s.is_ok()) return s;
  if (o.batch_size == 0) return Status::invalid_argument("batch_size must be at least 1");
  if (o.batch_bytes == 0) return Status::invalid_argument("batch_bytes must be at least 1");
  if (o.postings_per_pass == 0) return Status::invalid_argument("postings_per_pass must be at least 1");
  if (o.parse.max_text_bytes == 0) return Status::invalid_argument("the text cap must be at least 1 byte");
  return Status::ok();
}

// Removes what earlier runs left: temporary directories and files always;
// segment directories the committed manifest does not list only when
// `known` (the manifest was read, so what is committed is certain).
Status clean_leftovers(const std::string& index_dir, const std::set<std::string>& keep, bool known) {
  Result<std::vector<std::string>> names = list_directory(index_dir);
  if (!names.is_ok()) return names.status();
  for (const std::string& name : names.value()) {
    std::uint64_t generation = 0;
    const bool temporary = name.rfind(".tmp-segment_", 0) == 0 ||
                           name.rfind(std::string(kManifestFile) + ".tmp", 0) == 0;
    const bool stale_segment = known && parse_segment_name(name, &generation) && keep.count(name) == 0;
    if (temporary || stale_segment) {
      if (Status s = remove_tree(index_dir + "/" + name); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

// A generation above every segment directory present, committed or not.
Result<std::uint64_t> next_generation(const std::string& index_dir, std::uint64_t committed) {
  Result<std::vector<std::string>> names = list_directory(index_dir);
  if (!names.is_ok()) return names.status();
  std::uint64_t highest = committed;
  for (const std::string& name : names.value()) {
    std::uint64_t generation = 0;
    if (parse_segment_name(name, &generation)) highest = std::max(highest, generation);
  }
  return highest + 1;
}

// Hands memory freed by a finished batch back to the system. glibc keeps
// freed blocks of a few hundred KB (a book's pairs) in its arenas, where the
// next batch, allocated by other threads, may not reuse them: without this
// the process's RSS creeps up batch after batch.
void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

struct WriterState {
  tbb::concurrent_bounded_queue<std::unique_ptr<Batch>> queue;
  Status status;                   // written by the writer thread only
  std::atomic<bool> failed{false};  // status is not ok (read by the main thread)
  std::vector<SegmentInfo> segments;
};

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

}  // namespace

Result<IndexReport> index_corpus(const std::string& books_dir, const std::string& index_dir,
                                 const IndexOptions& options, const ProgressFn& progress) {
  const auto started = Clock::now();
  if (Status s = validate(options); !s.is_ok()) return s;
  if (!is_directory(books_dir)) {
    return Status::io_error(books_dir + ": books_dir is not a directory");
  }
  if (Status s = make_directories(index_dir); !s.is_ok()) return s;
  Result<IndexLock> lock = IndexLock::acquire(index_dir);
  if (!lock.is_ok()) return lock.status();

  // What is committed now. An unreadable index.json (damaged, or from
  // another version) is replaced in overwrite mode, but its segments stay
  // until the new index is committed.
  std::uint64_t committed_generation = 0;
  std::set<std::string> committed;
  Result<Manifest> previous = read_manifest(index_dir);
  const bool known = previous.is_ok() || previous.status().code() == Status::Code::kNotFound;
  if (previous.is_ok() || previous.status().code() != Status::Code::kNotFound) {
    if (!options.overwrite) {
      return Status::io_error(index_dir + ": already holds an index (index.json); pass mode=\"overwrite\" "
                                          "to replace it");
    }
    if (previous.is_ok()) {
      committed_generation = previous.value().generation;
      for (const SegmentInfo& s : previous.value().segments) committed.insert(s.name);
    }
  }
  if (Status s = clean_leftovers(index_dir, committed, known); !s.is_ok()) return s;
  Result<std::uint64_t> fresh = next_generation(index_dir, committed_generation);
  if (!fresh.is_ok()) return fresh.status();
  const std::uint64_t generation = fresh.value();

  std::vector<parse::BookFile> files;
  std::vector<parse::SkippedFile> skipped_files;
  if (Status s = parse::collect_books(books_dir, &files, &skipped_files); !s.is_ok()) return s;
  IndexReport report;
  for (const parse::SkippedFile& f : skipped_files) report.skipped.emplace_back(f.path, f.reason);
  std::uint64_t bytes_total = 0;
  for (const parse::BookFile& f : files) bytes_total += f.size;

  // Analyzer, threads.
  std::vector<std::string> stopwords = options.stopwords;
  Result<analysis::Stemmer> stemmer = options.stemmer.empty()
                                          ? Result<analysis::Stemmer>(analysis::Stemmer::kNone)
                                          : analysis::parse_stemmer(options.stemmer);
  if (!stemmer.is_ok()) return stemmer.status();
  const analysis::Analyzer analyzer(stopwords, stemmer.value());
  const unsigned threads = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                                : options.threads;
  // Two arenas of `threads` each, parsing and writing, so neither waits for
  // the other's tasks: sharing one, the writer's parallel steps queued behind
  // a whole batch of parsing, and the last segments were written with the
  // parse threads idle. Each arena is its master thread plus threads - 1
  // TBB workers; TBB keeps hardware_concurrency - 1 workers by default.
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, 2 * threads - 1);
  tbb::task_arena arena(static_cast<int>(threads));
  tbb::task_arena writer_arena(static_cast<int>(threads));
  tbb::enumerable_thread_specific<BookParser> parsers(
      [&] { return BookParser(analyzer, options.parse); });
  ProgressReporter reporter(progress, files.size(), bytes_total);

  // The writer thread.
  WriterState writer;
  writer.queue.set_capacity(1);
  std::thread writer_thread([&] {
    std::uint64_t next_doc = 0;
    while (true) {
      std::unique_ptr<Batch> batch;
      writer.queue.pop(batch);
      if (!batch) return;
      if (!writer.status.is_ok()) continue;  // drain, so the main thread never blocks
      Result<SegmentInfo> info = write_segment_safely(
          *batch, index_dir, batch->segment_name, next_doc, options, writer_arena);
      if (!info.is_ok()) {
        writer.status = info.status();
        writer.failed.store(true);
        continue;
      }
      next_doc += info.value().num_docs;
      writer.segments.push_back(std::move(info).value());
      batch.reset();
      release_free_memory();
    }
  });

  BookSettler settler;
  Status status;
  std::size_t next = 0;
  std::uint64_t segments_pushed = 0;
  // Any exception (out of memory) becomes the run's status: the writer
  // thread must still be stopped and joined below.
  auto parse_batches = [&] {
    while (next < files.size() && status.is_ok() && !writer.failed.load()) {
      // Cut the next batch: batch_size books, batch_bytes of files (at least one book).
      std::size_t end = next;
      std::uint64_t bytes = 0;
      while (end < files.size() && end - next < options.batch_size &&
             (end == next || bytes + files[end].size <= options.batch_bytes)) {
        bytes += files[end].size;
        ++end;
      }
      auto batch = std::make_unique<Batch>();
      batch->segment_name = segment_name(generation, segments_pushed);
      batch->books.resize(end - next);
      // With store_text, the text goes straight to the segment's temporary
      // directory as books are settled (book_settler.h), not held in memory.
      const std::string segment_tmp = index_dir + "/.tmp-" + batch->segment_name;
      std::string text_path;
      if (options.parse.store_text) {
        text_path = segment_tmp + "/" + std::string(kTextFile);
        status = remove_tree(segment_tmp);
        if (status.is_ok()) status = make_directory(segment_tmp);
        if (!status.is_ok()) break;
      }
      status = settler.begin(batch.get(), next, text_path);
      if (!status.is_ok()) break;
      // Books are claimed in order (not split into ranges, as parallel_for
      // would), so the settled prefix trails the parsing by about one book
      // per thread.
      std::atomic<std::size_t> claim{next};
      arena.execute([&] {
        tbb::parallel_for(
            0u, threads,
            [&](unsigned) {
              for (std::size_t i = claim.fetch_add(1); i < end; i = claim.fetch_add(1)) {
                ParsedBook& book = batch->books[i - next];
                if (reporter.cancelled()) {
                  book.skipped = true;
                } else {
                  parsers.local().parse(files[i], batch->dictionary.get(), &book);
                  reporter.book_done(files[i].size);
                }
                settler.book_parsed(i);
              }
            },
            tbb::simple_partitioner());
      });
      status = settler.finish();
      if (!status.is_ok()) break;
      reporter.report(true);
      if (reporter.cancelled()) {
        status = Status::invalid_argument("indexing was cancelled; the index is unchanged");
        break;
      }
      bool any = false;
      for (std::size_t i = next; i < end; ++i) {
        ParsedBook& book = batch->books[i - next];
        report.bytes_read += book.bytes_read;
        if (book.skipped) {
          report.skipped.emplace_back(files[i].path, book.skip_reason);
        } else if (book.duplicate) {
          report.duplicates.emplace_back(files[i].path, files[book.duplicate_of].path);
        } else {
          ++report.books;
          report.chunks += book.chunks.size();
          any = true;
        }
      }
      next = end;
      if (any) {
        writer.queue.push(std::move(batch));
        ++segments_pushed;
      } else if (options.parse.store_text) {
        remove_tree(segment_tmp);
      }
    }
  };
  try {
    parse_batches();
  } catch (const std::bad_alloc&) {
    status = Status::io_error(books_dir + ": out of memory while parsing books (try a smaller batch_bytes)");
  } catch (const std::exception& e) {
    status = Status::io_error(books_dir + ": " + e.what());
  }
  writer.queue.push(nullptr);
  writer_thread.join();
  if (status.is_ok()) status = writer.status;

  Manifest manifest;
  if (status.is_ok()) {
    manifest.generation = generation;
    manifest.settings.stopwords_name = options.stopwords_name;
    manifest.settings.stopwords = analyzer.stopwords().words();
    manifest.settings.stemmer = options.stemmer;
    manifest.settings.chunk_size = options.parse.chunk_size;
    manifest.settings.chunk_overlap = options.parse.chunk_overlap;
    manifest.settings.store_text = options.parse.store_text;
    manifest.unicode_version = analysis::unicode::kUnicodeVersion;
    manifest.segments = writer.segments;
    for (const SegmentInfo& s : writer.segments) {
      manifest.total_docs += s.num_docs;
      manifest.total_books += s.num_books;
      manifest.total_length += s.total_length;
    }
    if (manifest.total_docs > UINT32_MAX) {
      status = Status::invalid_argument("more than 2^32 - 1 chunks: split the corpus into several indexes");
    } else {
      status = write_manifest(index_dir, manifest);
    }
  }
  if (!status.is_ok()) {
    // Nothing of this run was committed: remove what it wrote, written or
    // begun (the generation is this run's own: no reader knows its names).
    for (std::uint64_t n = 0; n <= segments_pushed; ++n) {
      remove_tree(index_dir + "/" + segment_name(generation, n));
      remove_tree(index_dir + "/.tmp-" + segment_name(generation, n));
    }
    return status;
  }
  // Committed: the previous generation's segments can go (open readers keep
  // their mappings; the files vanish when they close).
  std::set<std::string> keep;
  for (const SegmentInfo& s : manifest.segments) keep.insert(s.name);
  clean_leftovers(index_dir, keep, true);
  report.segments = manifest.segments.size();
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace tomes::index
