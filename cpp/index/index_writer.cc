#include "index/index_writer.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <unordered_set>

#include "analysis/unicode_tables.h"
#include "common/file_system.h"
#include "index/batch_runner.h"
#include "index/deletions.h"
#include "index/index_files.h"
#include "index/merge_commit.h"
#include "segment/segment_format.h"

namespace tomes::index {

using segment::Manifest;
using segment::SegmentInfo;
using segment::SegmentReader;

namespace {

using Clock = std::chrono::steady_clock;

unsigned thread_count(unsigned threads) {
  return threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
}

// An existing index's settings replace the ones asked for a new index.
void adopt_settings(const Manifest& m, IndexOptions* o) {
  o->stopwords_name = m.settings.stopwords_name;
  o->stopwords = m.settings.stopwords;
  o->stemmer = m.settings.stemmer;
  o->parse.chunk_size = m.settings.chunk_size;
  o->parse.chunk_overlap = m.settings.chunk_overlap;
  o->parse.store_text = m.settings.store_text;
}

}  // namespace

Result<std::unique_ptr<IndexWriter>> IndexWriter::open(const std::string& index_dir, const WriterOptions& options,
                                                       const std::function<bool()>& should_stop) {
  if (options.index.batch_size == 0 || options.index.batch_bytes == 0) {
    return Status::invalid_argument("batch_size and batch_bytes must be at least 1");
  }
  if (Status s = make_directories(index_dir); !s.is_ok()) return s;
  Result<IndexLock> lock = IndexLock::acquire(index_dir, options.lock_timeout, should_stop);
  if (!lock.is_ok()) return lock.status();
  std::unique_ptr<IndexWriter> writer(new IndexWriter(index_dir, options, std::move(lock).value()));
  if (Status s = writer->load_committed(); !s.is_ok()) return s;
  return writer;
}

IndexWriter::~IndexWriter() { rollback(); }

Status IndexWriter::load_committed() {
  Result<Manifest> manifest = segment::read_manifest(dir_);
  if (manifest.is_ok()) {
    committed_ = std::move(manifest).value();
    exists_ = true;
    adopt_settings(committed_, &options_.index);
  } else if (manifest.status().code() == Status::Code::kNotFound) {
    committed_ = Manifest{};
    exists_ = false;
  } else {
    return manifest.status();
  }
  // A new index's chunking, or (checked again) an existing one's.
  if (Status s = chunk::check_chunk_options(options_.index.parse.chunk_size, options_.index.parse.chunk_overlap);
      !s.is_ok()) {
    return s;
  }
  if (Status s = clean_leftovers(dir_, committed_); !s.is_ok()) return s;
  Result<analysis::Analyzer> analyzer = analysis::make_analyzer(options_.index.stopwords, options_.index.stemmer);
  if (!analyzer.is_ok()) return analyzer.status();
  analyzer_ = std::move(analyzer).value();
  if (Status s = open_readers({}); !s.is_ok()) return s;
  live_.load(readers_);
  return begin_generation();
}

Status IndexWriter::open_readers(const std::vector<std::shared_ptr<SegmentReader>>& open) {
  std::vector<std::shared_ptr<SegmentReader>> readers;
  for (const SegmentInfo& info : committed_.segments) {
    // A segment the commit left as it was (same directory, same deletions,
    // same place) keeps its reader: a commit opens only what it changed.
    const auto same = std::find_if(open.begin(), open.end(), [&](const std::shared_ptr<SegmentReader>& r) {
      const SegmentInfo& had = r->info();
      return had.name == info.name && had.deletes == info.deletes && had.base_doc_id == info.base_doc_id;
    });
    if (same != open.end()) {
      readers.push_back(*same);
      continue;
    }
    auto reader = SegmentReader::open(dir_ + "/" + info.name, info, committed_.settings.store_text);
    if (!reader.is_ok()) return reader.status();
    readers.push_back(std::move(reader).value());
  }
  readers_ = std::move(readers);
  return Status::ok();
}

Status IndexWriter::begin_generation() {
  Result<std::uint64_t> generation = next_generation(dir_, committed_.generation);
  if (!generation.is_ok()) return generation.status();
  generation_ = generation.value();
  next_segment_ = 0;
  return Status::ok();
}

void IndexWriter::reset_session() {
  written_.clear();
  texts_.clear();
  text_bytes_ = 0;
  tally_ = IndexReport{};
  not_found_.clear();
  sync_skipped_.clear();
  live_.load(readers_);
}

void IndexWriter::rollback() {
  // The session's generation was never committed: no reader knows its names.
  if (next_segment_ > 0) {
    remove_generation(dir_, generation_, next_segment_);
    next_segment_ = 0;
  }
  reset_session();
}

Status IndexWriter::run_books(const std::vector<parse::BookFile>& files, const ProgressFn& progress) {
  std::uint64_t bytes = 0;
  for (const parse::BookFile& f : files) bytes += f.content != nullptr ? f.content->size() : f.size;
  const BatchRun run{dir_, dir_, options_.index, generation_, next_segment_, &live_};
  Written written = parse_and_write(run, files, bytes, analyzer_, progress, &tally_);
  next_segment_ = std::max(next_segment_, written.names_used);
  for (SegmentInfo& s : written.segments) written_.push_back(std::move(s));
  if (!written.status.is_ok()) {
    rollback();
    return written.status;
  }
  if (written_.size() != live_.new_segment_names().size()) {
    rollback();
    return Status::io_error(dir_ + ": the session's segments disagree with the books it kept (a bug)");
  }
  return Status::ok();
}

Status IndexWriter::add_files(std::vector<parse::BookFile> files, const ProgressFn& progress) {
  // In id order, as index_corpus takes a folder's books: a segment's books
  // are sorted, and among equal texts the smaller id wins.
  std::sort(files.begin(), files.end(), [](const parse::BookFile& a, const parse::BookFile& b) {
    return a.relative_path < b.relative_path;
  });
  std::unordered_set<std::string> seen;
  for (const parse::BookFile& f : files) {
    if (!seen.insert(f.relative_path).second) {
      return Status::invalid_argument("book id \"" + f.relative_path + "\" is given twice");
    }
  }
  // A later add of an id wins over a text still buffered.
  for (const parse::BookFile& f : files) {
    const auto it = texts_.find(f.relative_path);
    if (it == texts_.end()) continue;
    text_bytes_ -= it->second.bytes.size();
    texts_.erase(it);
  }
  return run_books(files, progress);
}

Status IndexWriter::add_texts(std::vector<TextBook> texts, const ProgressFn& progress) {
  for (const TextBook& t : texts) {
    if (t.id.empty()) return Status::invalid_argument("a book id must not be empty");
  }
  for (TextBook& t : texts) {
    const auto it = texts_.find(t.id);
    if (it != texts_.end()) text_bytes_ -= it->second.bytes.size();
    text_bytes_ += t.bytes.size();
    std::string id = t.id;
    texts_[std::move(id)] = std::move(t);
  }
  if (texts_.size() >= options_.index.batch_size || text_bytes_ >= options_.index.batch_bytes) {
    return flush_texts(progress);
  }
  return Status::ok();
}

Status IndexWriter::flush_texts(const ProgressFn& progress) {
  if (texts_.empty()) return Status::ok();
  // In id order, as files are: a segment's books are sorted by id.
  std::vector<parse::BookFile> files;
  files.reserve(texts_.size());
  for (const auto& [id, text] : texts_) {
    parse::BookFile f;
    f.relative_path = id;
    f.path = "text \"" + id + "\"";
    f.size = text.bytes.size();
    f.format = parse::BookFormat::kPlainText;
    f.content = &text.bytes;
    f.metadata = text.metadata;
    files.push_back(std::move(f));
  }
  Status status = run_books(files, progress);
  texts_.clear();
  text_bytes_ = 0;
  return status;
}

void IndexWriter::remove(const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    const auto text = texts_.find(id);
    const bool buffered = text != texts_.end();
    if (buffered) {
      text_bytes_ -= text->second.bytes.size();
      texts_.erase(text);
    }
    if (!live_.remove(id) && !buffered) not_found_.push_back(id);
  }
}

Status IndexWriter::sync(const std::string& books_dir, bool checksum,
                         const std::map<std::string, std::string>& metadata, const ProgressFn& progress) {
  if (!is_directory(books_dir)) return Status::io_error(books_dir + ": books_dir is not a directory");
  std::vector<parse::BookFile> files;
  std::vector<parse::SkippedFile> skipped;
  if (Status s = parse::collect_books(books_dir, &files, &skipped); !s.is_ok()) return s;
  for (const parse::SkippedFile& f : skipped) sync_skipped_.emplace_back(f.relative_path, f.reason);
  // Afterwards the index holds the folder's books and nothing else.
  texts_.clear();
  text_bytes_ = 0;
  std::unordered_set<std::string> in_folder;
  for (parse::BookFile& f : files) {
    in_folder.insert(f.relative_path);
    if (const auto m = metadata.find(f.relative_path); m != metadata.end()) f.metadata = m->second;
  }
  std::vector<std::string> gone;
  for (const std::string& id : live_.ids()) {
    if (in_folder.count(id) == 0) gone.push_back(id);
  }
  std::sort(gone.begin(), gone.end());
  remove(gone);
  // A file whose size, mtime and metadata match its record is not read.
  std::vector<parse::BookFile> changed;
  for (parse::BookFile& f : files) {
    const segment::BookRecord* r = live_.record(f.relative_path);
    const bool same = r != nullptr && !checksum && r->file_size == f.size && r->mtime_ns == f.mtime_ns &&
                      r->metadata == f.metadata;
    if (same) {
      live_.mark_unchanged(f.relative_path);
    } else {
      changed.push_back(std::move(f));
    }
  }
  live_.set_by_id_order(true);
  Status status = run_books(changed, progress);
  live_.set_by_id_order(false);
  return status;
}

Result<Manifest> IndexWriter::working_manifest(std::vector<std::shared_ptr<SegmentReader>>* readers) {
  Manifest m = committed_;
  m.generation = generation_;
  m.settings = index_settings(options_.index, analyzer_);
  m.unicode_version = analysis::unicode::kUnicodeVersion;
  *readers = readers_;
  for (const SegmentInfo& s : written_) m.segments.push_back(s);
  m.recount();
  for (std::size_t i = readers_.size(); i < m.segments.size(); ++i) {
    const SegmentInfo& info = m.segments[i];
    auto reader = SegmentReader::open(dir_ + "/" + info.name, info, m.settings.store_text);
    if (!reader.is_ok()) return reader.status();
    readers->push_back(std::move(reader).value());
  }
  return m;
}

CommitReport IndexWriter::make_report() const {
  CommitReport r;
  for (const auto& [id, outcome] : live_.outcomes()) {
    const bool live = live_.is_live(id);
    if (outcome.was_live && !live) {
      r.deleted.push_back(id);
    } else if (live && outcome.kept) {
      (outcome.was_live ? r.replaced : r.added).push_back(id);
    } else if (live && outcome.was_live && outcome.unchanged) {
      r.unchanged.push_back(id);
    }
  }
  r.not_found = not_found_;
  r.skipped = sync_skipped_;
  r.skipped.insert(r.skipped.end(), tally_.skipped.begin(), tally_.skipped.end());
  // Every duplicate of a session is judged by LiveBooks (tally_'s are the
  // same ones, counted by the batch runner).
  r.duplicates = live_.duplicates();
  for (const std::string& id : tally_.invalid_utf8) {
    if (live_.is_live(id)) r.invalid_utf8.push_back(id);
  }
  r.bytes_read = tally_.bytes_read;
  return r;
}

Result<CommitReport> IndexWriter::commit(const ProgressFn& progress) {
  const auto started = Clock::now();
  if (Status s = flush_texts(progress); !s.is_ok()) return s;
  CommitReport report = make_report();
  const bool changed = !written_.empty() || !live_.pending().empty();
  if (exists_ && !changed) {
    reset_session();
    report.generation = committed_.generation;
  } else {
    std::vector<std::shared_ptr<SegmentReader>> readers;
    Result<Manifest> working = working_manifest(&readers);
    Status status = working.status();
    if (status.is_ok()) {
      std::vector<std::vector<std::uint32_t>> deleted(readers.size());
      for (const auto& [slot, books] : live_.pending()) {
        deleted[slot] = books;
        std::sort(deleted[slot].begin(), deleted[slot].end());
      }
      const unsigned threads = thread_count(options_.index.threads);
      tbb::task_arena arena(static_cast<int>(threads));
      status = apply_deletions(dir_, readers, deleted, generation_, &working.value(), arena);
    }
    if (status.is_ok() && working.value().doc_id_end() > UINT32_MAX) {
      status = Status::invalid_argument("more than 2^32 - 1 chunks: split the corpus into several indexes");
    }
    if (status.is_ok()) status = segment::write_manifest(dir_, working.value());
    if (!status.is_ok()) {
      rollback();
      (void)clean_leftovers(dir_, committed_);
      return status;
    }
    committed_ = std::move(working).value();
    exists_ = true;
    (void)clean_leftovers(dir_, committed_);
    report.generation = committed_.generation;
    if (options_.merge) {
      Result<std::uint64_t> generation = next_generation(dir_, committed_.generation);
      MergeCommitOptions merge;
      merge.threads = options_.index.threads;
      Result<Manifest> merged = generation.is_ok()
                                    ? merge_committed(dir_, committed_, generation.value(), merge, nullptr)
                                    : Result<Manifest>(generation.status());
      if (merged.is_ok()) {
        // The merges' inputs: the segments that the new manifest no longer lists.
        std::set<std::string> kept;
        for (const SegmentInfo& info : merged.value().segments) kept.insert(info.name);
        for (const SegmentInfo& info : committed_.segments) report.segments_merged += kept.count(info.name) == 0;
        committed_ = std::move(merged).value();
        report.generation = committed_.generation;
      } else {
        report.merge_error = merged.status().message();
      }
    }
    if (Status s = open_readers(readers); !s.is_ok()) return s;
    next_segment_ = 0;
    reset_session();
    if (Status s = begin_generation(); !s.is_ok()) return s;
  }
  report.books = committed_.total_books;
  report.chunks = committed_.total_docs;
  report.segments = committed_.segments.size();
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace tomes::index
