#include "index/segment_writer.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/byte_sink.h"
#include "common/file_system.h"
#include "fst/fst_builder.h"
#include "index/index_files.h"
#include "index/segment_publish.h"
#include "postings/postings_writer.h"
#include "segment/book_table.h"
#include "segment/chunk_table.h"
#include "segment/segment_file.h"
#include "segment/segment_format.h"
#include "segment/term_entries.h"
#include "segment/term_table.h"
#include "segment/text_store.h"

namespace tomes::index {

namespace {

using segment::FileRecord;
using segment::SegmentInfo;

// Rewrites one book's pairs from batch term ids to ranks (the terms' places
// in byte order), each chunk's ranks ascending, and counts each rank's
// document frequency into *df. The packing is batch.h's, ranks for ids.
void rerank_pairs(const std::vector<std::uint32_t>& rank_of, ParsedBook* book, std::vector<std::uint32_t>* df) {
  std::string out;
  out.reserve(book->pairs.size() + book->pairs.size() / 8);
  std::vector<std::uint64_t> chunk;  // rank << 32 | tf
  const auto* p = reinterpret_cast<const unsigned char*>(book->pairs.data());
  for (std::uint64_t& chunk_end : book->chunk_ends) {
    const auto* end = reinterpret_cast<const unsigned char*>(book->pairs.data()) + chunk_end;
    chunk.clear();
    std::uint32_t next_id = 0, id, tf;
    while (p < end) {
      read_pair(&p, &next_id, &id, &tf);
      const std::uint32_t rank = rank_of[id];
      ++(*df)[rank];
      chunk.push_back(std::uint64_t{rank} << 32 | tf);
    }
    std::sort(chunk.begin(), chunk.end());
    std::uint32_t next_rank = 0;
    for (std::uint64_t pair : chunk) {
      const auto rank = static_cast<std::uint32_t>(pair >> 32);
      append_pair(&out, rank - next_rank, static_cast<std::uint32_t>(pair));
      next_rank = rank + 1;
    }
    chunk_end = out.size();
  }
  out.shrink_to_fit();  // held until the segment is written: no slack
  book->pairs.swap(out);
}

// One pass of the postings inversion: the postings of ranks [begin, end),
// placed by a counting sort, encoded in parallel, ready to append.
struct EncodedPass {
  std::vector<std::uint32_t> part_begin;  // ranks; parts + 1 bounds
  std::vector<std::string> docs_parts, freqs_parts;
  std::vector<std::uint64_t> docs_end, freqs_end;  // per rank, its end within its part
};

// The writing of one segment, a step per method, in the order write()
// calls them. Each step leaves what the next needs in the members.
class SegmentBuild {
 public:
  SegmentBuild(Batch& batch, const std::string& index_dir, const std::string& name, std::uint64_t base_doc_id,
               bool store_text, std::uint64_t postings_per_pass, tbb::task_arena& arena)
      : batch_(batch), index_dir_(index_dir), name_(name), final_dir_(index_dir + "/" + name),
        dir_(index_dir + "/" + temporary_segment_name(name)), base_doc_id_(base_doc_id), store_text_(store_text),
        postings_per_pass_(postings_per_pass), arena_(arena) {}

  Result<SegmentInfo> write() {
    if (Status s = make_temporary_directory(); !s.is_ok()) return s;
    sort_terms();
    if (Status s = collect_kept_books(); !s.is_ok()) return s;
    if (Status s = rank_pairs_and_lay_out_postings(); !s.is_ok()) return s;
    if (Status s = write_postings(); !s.is_ok()) return s;
    if (Status s = write_terms(); !s.is_ok()) return s;
    if (Status s = write_tables(); !s.is_ok()) return s;
    return publish();
  }

 private:
  // With store_text the directory exists already and holds the text so far
  // (batch.h); else it is made afresh.
  Status make_temporary_directory() {
    if (store_text_) return Status::ok();
    if (Status s = remove_tree(dir_); !s.is_ok()) return s;
    return make_directory(dir_);
  }

  // Every term of the batch's dictionary in byte order (its rank). A term
  // may have no posting in this segment (only a duplicate book had it), so
  // ordinals, the FST's values, count only the ranks with postings.
  void sort_terms() {
    batch_.dictionary->terms(&term_of_);
    vocabulary_ = term_of_.size();
    by_rank_.resize(vocabulary_);
    std::iota(by_rank_.begin(), by_rank_.end(), 0u);
    arena_.execute([&] {
      tbb::parallel_sort(by_rank_.begin(), by_rank_.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return term_of_[a] < term_of_[b]; });
    });
  }

  Status collect_kept_books() {
    for (ParsedBook& book : batch_.books) {
      if (book.skipped || book.duplicate) continue;
      kept_.push_back(&book);
      doc_lengths_.insert(doc_lengths_.end(), book.chunk_lengths.begin(), book.chunk_lengths.end());
    }
    if (doc_lengths_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      return Status::invalid_argument(final_dir_ + ": more than 2^32 - 2 chunks in one segment (lower batch_bytes)");
    }
    num_docs_ = static_cast<std::uint32_t>(doc_lengths_.size());
    return Status::ok();
  }

  // Each book's pairs, rewritten by rank in parallel (one decode of every
  // pair, on every core), counting document frequencies per thread; then
  // first_[r], the place of rank r's first posting over all ranks.
  Status rank_pairs_and_lay_out_postings() {
    std::vector<std::uint32_t> df(vocabulary_, 0);
    {
      std::vector<std::uint32_t> rank_of(vocabulary_);
      for (std::uint32_t r = 0; r < vocabulary_; ++r) rank_of[by_rank_[r]] = r;
      tbb::enumerable_thread_specific<std::vector<std::uint32_t>> thread_df;
      arena_.execute([&] {
        tbb::parallel_for(std::size_t{0}, kept_.size(), [&](std::size_t i) {
          std::vector<std::uint32_t>& counts = thread_df.local();
          if (counts.empty()) counts.assign(vocabulary_, 0);
          rerank_pairs(rank_of, kept_[i], &counts);
        });
      });
      for (const std::vector<std::uint32_t>& counts : thread_df) {
        for (std::size_t r = 0; r < counts.size(); ++r) df[r] += counts[r];
      }
    }
    first_.assign(vocabulary_ + 1, 0);
    for (std::size_t r = 0; r < vocabulary_; ++r) {
      first_[r + 1] = first_[r] + df[r];
      if (df[r] > 0) ++num_terms_;
      if (df[r] > postings::kMaxPostings) {
        return Status::invalid_argument(final_dir_ + ": a term occurs in more than " +
                                        std::to_string(postings::kMaxPostings) +
                                        " chunks of one segment (lower batch_bytes)");
      }
    }
    return Status::ok();
  }

  bool has_postings(std::uint32_t rank) const { return first_[rank + 1] > first_[rank]; }

  // Postings, one range of ranks per pass: place the range's pairs by a
  // counting sort (doc order within each term, as the pairs come in doc
  // order), encode its terms in parallel, append to the files. Each chunk's
  // pairs are in rank order, so a pass resumes every chunk where the last
  // one stopped: over all passes each pair is read once.
  Status write_postings() {
    segment::FootedFileWriter docs_file(dir_, segment::kDocsFile, segment::kDocsMagic);
    segment::FootedFileWriter freqs_file(dir_, segment::kFreqsFile, segment::kFreqsMagic);
    if (!docs_file.status().is_ok()) return docs_file.status();
    if (!freqs_file.status().is_ok()) return freqs_file.status();
    start_resumes();
    const auto ranks = static_cast<std::uint32_t>(vocabulary_);
    for (std::uint32_t begin = 0; begin < ranks;) {
      std::uint32_t end = begin + 1;
      while (end < ranks && first_[end + 1] - first_[begin] <= postings_per_pass_) ++end;
      invert_pass(begin, end);
      const EncodedPass pass = encode_pass(begin, end);
      if (Status s = append_pass(begin, pass, &docs_file, &freqs_file); !s.is_ok()) return s;
      begin = end;
    }
    release(&pass_docs_, &pass_freqs_, &resume_at_, &resume_rank_);
    if (Status s = docs_file.finish(&files_); !s.is_ok()) return s;
    return freqs_file.finish(&files_);
  }

  // Every chunk's pairs are read from their start, rank 0 on.
  void start_resumes() {
    resume_at_.resize(num_docs_);
    resume_rank_.assign(num_docs_, 0);
    std::uint32_t doc = 0;
    for (const ParsedBook* book : kept_) {
      std::uint64_t chunk_begin = 0;
      for (std::uint64_t chunk_end : book->chunk_ends) {
        resume_at_[doc++] = chunk_begin;
        chunk_begin = chunk_end;
      }
    }
  }

  // Places the (doc, tf) pairs of ranks [begin, end) in pass_docs_ and
  // pass_freqs_, each rank's at first_[rank] - first_[begin], in doc order.
  void invert_pass(std::uint32_t begin, std::uint32_t end) {
    const std::uint64_t base = first_[begin];
    pass_docs_.resize(first_[end] - base);
    pass_freqs_.resize(first_[end] - base);
    std::vector<std::uint64_t> fill(first_.begin() + begin, first_.begin() + end);
    std::uint32_t doc = 0;
    for (const ParsedBook* book : kept_) {
      const auto* pairs = reinterpret_cast<const unsigned char*>(book->pairs.data());
      for (std::uint64_t chunk_end : book->chunk_ends) {
        const unsigned char* p = pairs + resume_at_[doc];
        const unsigned char* const stop = pairs + chunk_end;
        std::uint32_t next_rank = resume_rank_[doc];
        while (p < stop) {
          const unsigned char* after = p;
          std::uint32_t next = next_rank, rank, tf;
          read_pair(&after, &next, &rank, &tf);
          if (rank >= end) break;
          const std::uint64_t at = fill[rank - begin]++ - base;
          pass_docs_[at] = doc;
          pass_freqs_[at] = tf;
          p = after;
          next_rank = next;
        }
        resume_at_[doc] = static_cast<std::uint64_t>(p - pairs);
        resume_rank_[doc] = next_rank;
        ++doc;
      }
    }
  }

  // Encodes the pass's terms in parallel over sub-ranges of about equal work.
  EncodedPass encode_pass(std::uint32_t begin, std::uint32_t end) const {
    constexpr std::size_t kParts = 32;
    const std::uint64_t base = first_[begin];
    EncodedPass pass;
    pass.part_begin.push_back(begin);
    const std::uint64_t per_part = (first_[end] - base) / kParts + 1;
    std::uint64_t acc = 0;
    for (std::uint32_t r = begin; r < end; ++r) {
      acc += first_[r + 1] - first_[r] + 1;
      if (acc >= per_part && r + 1 < end) {
        pass.part_begin.push_back(r + 1);
        acc = 0;
      }
    }
    pass.part_begin.push_back(end);
    const std::size_t parts = pass.part_begin.size() - 1;
    pass.docs_parts.resize(parts);
    pass.freqs_parts.resize(parts);
    pass.docs_end.resize(end - begin);
    pass.freqs_end.resize(end - begin);
    arena_.execute([&] {
      tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t part) {
        for (std::uint32_t r = pass.part_begin[part]; r < pass.part_begin[part + 1]; ++r) {
          const std::uint64_t at = first_[r] - base;
          if (has_postings(r)) {
            postings::append_postings(pass_docs_.data() + at, pass_freqs_.data() + at, first_[r + 1] - first_[r],
                                      doc_lengths_.data(), &pass.docs_parts[part], &pass.freqs_parts[part]);
          }
          pass.docs_end[r - begin] = pass.docs_parts[part].size();
          pass.freqs_end[r - begin] = pass.freqs_parts[part].size();
        }
      });
    });
    return pass;
  }

  // Appends the pass's regions to the files and their term entries to
  // offsets_ (a rank without postings has no ordinal, hence no entry).
  Status append_pass(std::uint32_t begin, const EncodedPass& pass, segment::FootedFileWriter* docs_file,
                     segment::FootedFileWriter* freqs_file) {
    for (std::size_t part = 0; part + 1 < pass.part_begin.size(); ++part) {
      const std::uint64_t docs_base = docs_file->size(), freqs_base = freqs_file->size();
      std::uint64_t docs_at = 0, freqs_at = 0;
      for (std::uint32_t r = pass.part_begin[part]; r < pass.part_begin[part + 1]; ++r) {
        if (!has_postings(r)) continue;
        segment::TermEntry entry;
        entry.doc_offset = docs_base + docs_at;
        entry.doc_len = static_cast<std::uint32_t>(pass.docs_end[r - begin] - docs_at);
        entry.freq_offset = freqs_base + freqs_at;
        entry.freq_len = static_cast<std::uint32_t>(pass.freqs_end[r - begin] - freqs_at);
        entry.doc_count = static_cast<std::uint32_t>(first_[r + 1] - first_[r]);
        offsets_.add(entry);
        docs_at = pass.docs_end[r - begin];
        freqs_at = pass.freqs_end[r - begin];
      }
      if (Status s = docs_file->write(pass.docs_parts[part]); !s.is_ok()) return s;
      if (Status s = freqs_file->write(pass.freqs_parts[part]); !s.is_ok()) return s;
    }
    return Status::ok();
  }

  // terms.fst: the terms with postings, in byte order, valued by ordinal.
  Status write_terms() {
    FileSink file(dir_ + "/" + std::string(segment::kTermsFile));
    if (!file.status().is_ok()) return file.status();
    ChecksumSink sink(&file);
    fst::FstBuilder builder(&sink);
    builder.reserve(num_terms_);
    std::uint32_t ordinal = 0;
    for (std::uint32_t r = 0; r < vocabulary_; ++r) {
      if (!has_postings(r)) continue;
      if (Status s = builder.add(term_of_[by_rank_[r]], ordinal++); !s.is_ok()) return s;
    }
    if (Status s = builder.finish(); !s.is_ok()) return s;
    files_.push_back(FileRecord{std::string(segment::kTermsFile), sink.size(), sink.crc()});
    return Status::ok();
  }

  // offsets.bin, doc_lengths.bin, chunks.bin, books.bin and (store_text)
  // text.bin's table.
  Status write_tables() {
    if (Status s = write_offsets_and_doc_lengths(dir_, offsets_, doc_lengths_, &files_); !s.is_ok()) return s;
    segment::ChunkTableWriter chunks(store_text_);
    segment::TextTableWriter text;
    segment::BookTableWriter books;
    for (const ParsedBook* book : kept_) {
      chunks.add_book(book->relative_path, static_cast<std::uint32_t>(book->text_blocks.size()));
      books.add(segment::BookRecord{book->file_size, book->mtime_ns, {book->text_hash[0], book->text_hash[1]},
                                    book->metadata});
      for (const chunk::ChunkSpan& span : book->chunks) {
        chunks.add_chunk(span.start, span.end, span.byte_start, span.byte_end);
      }
      if (store_text_) text.add_book(book->text_blocks);
    }
    if (Status s = chunks.write(dir_, &files_); !s.is_ok()) return s;
    if (Status s = books.write(dir_, &files_); !s.is_ok()) return s;
    if (!store_text_) return Status::ok();
    // The blocks are in the file already (book_settler.h); the table, the
    // count and the footer follow them.
    return text.write(dir_, batch_.text_bytes, batch_.text_crc, &files_);
  }

  // meta.json, then the directory made durable and renamed into place.
  Result<SegmentInfo> publish() {
    SegmentInfo info;
    info.name = name_;
    info.base_doc_id = base_doc_id_;
    info.num_docs = num_docs_;
    info.num_books = kept_.size();
    info.num_terms = num_terms_;
    info.total_length = std::accumulate(doc_lengths_.begin(), doc_lengths_.end(), std::uint64_t{0});
    if (Status s = publish_segment(index_dir_, store_text_, files_, &info); !s.is_ok()) return s;
    return info;
  }

  template <class... Vectors>
  static void release(Vectors*... vectors) {
    (std::remove_pointer_t<Vectors>().swap(*vectors), ...);
  }

  Batch& batch_;
  const std::string& index_dir_;
  const std::string& name_;
  const std::string final_dir_, dir_;
  const std::uint64_t base_doc_id_;
  const bool store_text_;
  const std::uint64_t postings_per_pass_;
  tbb::task_arena& arena_;

  std::vector<FileRecord> files_;  // finished files, in the order meta.json lists them
  // sort_terms
  std::vector<std::string_view> term_of_;  // batch term id -> bytes
  std::size_t vocabulary_ = 0;
  std::vector<std::uint32_t> by_rank_;  // rank -> batch term id
  // collect_kept_books
  std::vector<ParsedBook*> kept_;
  std::vector<std::uint32_t> doc_lengths_;
  std::uint32_t num_docs_ = 0;
  // rank_pairs_and_lay_out_postings
  std::vector<std::uint64_t> first_;  // rank -> its first posting over all ranks; vocabulary + 1
  std::uint32_t num_terms_ = 0;       // ranks with postings
  // write_postings
  segment::TermTableWriter offsets_;
  std::vector<std::uint32_t> pass_docs_, pass_freqs_;
  std::vector<std::uint64_t> resume_at_;    // per doc: byte offset in its book's pairs
  std::vector<std::uint32_t> resume_rank_;  // per doc: the rank after the last one read
};

}  // namespace

Result<SegmentInfo> write_segment(Batch& batch, const std::string& index_dir, const std::string& name,
                                  std::uint64_t base_doc_id, bool store_text, std::uint64_t postings_per_pass,
                                  tbb::task_arena& arena) {
  return SegmentBuild(batch, index_dir, name, base_doc_id, store_text, postings_per_pass, arena).write();
}

}  // namespace tomes::index
