#include "index/segment_merger.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <limits>
#include <numeric>
#include <string_view>

#include "common/byte_sink.h"
#include "common/file_system.h"
#include "fst/fst_builder.h"
#include "index/index_files.h"
#include "index/segment_publish.h"
#include "index/term_union.h"
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
using segment::SegmentReader;
using segment::TermEntry;

// A group also ends at this many terms, so that a run of rare terms (one
// posting each) holds no more than this many terms' strings and holders.
constexpr std::size_t kMaxTermsPerGroup = std::size_t{1} << 16;

// A doc map's value for a chunk of a dropped book (merged ids stay below it).
constexpr std::uint32_t kDroppedDoc = std::numeric_limits<std::uint32_t>::max();

// Terms taken from the dictionaries, waiting to be merged together.
struct TermGroup {
  std::vector<std::string> terms;
  std::vector<std::size_t> holders_end;  // per term: the end of its holders
  std::vector<std::pair<std::size_t, TermEntry>> holders;  // (segment of the run, its entry), segment order
  // Per term: its postings in the inputs, dropped ones included (an upper
  // bound of the merged count, known before decoding: it sizes groups and
  // parts, so these do not depend on what is dropped).
  std::vector<std::uint64_t> counts;
  std::uint64_t postings = 0;

  void clear() {
    terms.clear();
    holders_end.clear();
    holders.clear();
    counts.clear();
    postings = 0;
  }
};

// A group's encoded postings: parts encoded in parallel, appended in order.
struct EncodedGroup {
  std::vector<std::size_t> part_begin;  // terms; parts + 1 bounds
  std::vector<std::string> docs_parts, freqs_parts;
  std::vector<std::uint64_t> docs_end, freqs_end;  // per term, its end within its part
  std::vector<std::uint32_t> kept;                  // per term, its postings in the merged segment
  std::vector<Status> part_status;
};

// One thread's decoding buffers.
struct Scratch {
  std::vector<std::uint32_t> docs, freqs;                // one segment's postings of a term
  std::vector<std::uint32_t> merged_docs, merged_freqs;  // the term's, over the run
};

// The merge of one run, a step per method, in the order merge() calls them.
class SegmentMerge {
 public:
  SegmentMerge(const std::vector<std::shared_ptr<SegmentReader>>& run,
               const std::vector<std::vector<std::uint32_t>>& dropped_books, const std::string& index_dir,
               const std::string& name, bool store_text, const MergeOptions& options, tbb::task_arena& arena)
      : run_(run), dropped_books_(dropped_books), index_dir_(index_dir), name_(name),
        dir_(index_dir + "/" + temporary_segment_name(name)), store_text_(store_text), options_(options),
        arena_(arena) {}

  Result<SegmentInfo> merge() {
    if (Status s = map_docs(); !s.is_ok()) return s;
    if (Status s = make_temporary_directory(); !s.is_ok()) return s;
    if (Status s = write_postings_and_terms(); !s.is_ok()) return s;
    if (Status s = write_tables(); !s.is_ok()) return s;
    return publish();
  }

 private:
  Status make_temporary_directory() {
    if (Status s = remove_tree(dir_); !s.is_ok()) return s;
    return make_directory(dir_);
  }

  bool stopped() const { return options_.should_stop && options_.should_stop(); }
  // The inputs are read once, front to back: what a group has read is
  // dropped from the RSS (it stays in the page cache), so a merge's memory
  // is its working set, not the size of its inputs.
  void release_inputs() const {
    for (const auto& segment : run_) segment->release_pages();
  }
  Status cancelled() const { return Status::cancelled(index_dir_ + ": the merge was cancelled"); }

  // Each input's map from local doc to merged doc (the kept chunks
  // numbered densely, in run order) and the merged doc lengths. An input
  // with nothing dropped keeps an empty map: its docs are shifted by
  // doc_base_. Fails, before anything is written, if nothing is kept.
  Status map_docs() {
    doc_map_.resize(run_.size());
    for (std::size_t i = 0; i < run_.size(); ++i) {
      const SegmentReader& segment = *run_[i];
      const std::vector<std::uint32_t>& dropped = dropped_books_[i];
      doc_base_.push_back(static_cast<std::uint32_t>(doc_lengths_.size()));
      if (!dropped.empty()) doc_map_[i].assign(segment.num_docs(), kDroppedDoc);
      std::size_t next_dropped = 0;
      for (std::uint32_t b = 0; b < segment.num_books(); ++b) {
        if (next_dropped < dropped.size() && dropped[next_dropped] == b) {
          ++next_dropped;
          continue;
        }
        ++num_books_;
        for (std::uint32_t d = segment.first_chunk(b); d < segment.end_chunk(b); ++d) {
          if (!dropped.empty()) doc_map_[i][d] = static_cast<std::uint32_t>(doc_lengths_.size());
          doc_lengths_.push_back(segment.doc_lengths()[d]);
        }
      }
      if (doc_lengths_.size() >= std::numeric_limits<std::uint32_t>::max()) {
        return Status::invalid_argument(dir_ + ": more than 2^32 - 2 chunks in one segment (merge fewer segments)");
      }
    }
    if (num_books_ == 0) {
      return Status::invalid_argument(index_dir_ + "/" + name_ +
                                      ": every book of the run is dropped, so there is no segment to write "
                                      "(leave the run out of index.json instead)");
    }
    return Status::ok();
  }

  // Postings and terms.fst in one walk over the union of the dictionaries.
  Status write_postings_and_terms() {
    segment::FootedFileWriter docs_file(dir_, segment::kDocsFile, segment::kDocsMagic);
    segment::FootedFileWriter freqs_file(dir_, segment::kFreqsFile, segment::kFreqsMagic);
    if (!docs_file.status().is_ok()) return docs_file.status();
    if (!freqs_file.status().is_ok()) return freqs_file.status();
    FileSink terms_file(dir_ + "/" + std::string(segment::kTermsFile));
    if (!terms_file.status().is_ok()) return terms_file.status();
    ChecksumSink terms_sink(&terms_file);
    fst::FstBuilder builder(&terms_sink);
    std::vector<const fst::FstReader*> dictionaries;
    for (const auto& segment : run_) dictionaries.push_back(&segment->terms());
    TermUnion terms(dictionaries);
    TermGroup group;
    std::string term;
    std::vector<TermUnion::Holder> holders;
    while (terms.next(&term, &holders)) {
      if (Status s = add_term(term, holders, &group); !s.is_ok()) return s;
      if (group.postings < options_.postings_per_group && group.terms.size() < kMaxTermsPerGroup) continue;
      if (Status s = flush(&group, &docs_file, &freqs_file, &builder); !s.is_ok()) return s;
      release_inputs();
      if (stopped()) return cancelled();
    }
    if (!terms.status().is_ok()) return terms.status();
    if (Status s = flush(&group, &docs_file, &freqs_file, &builder); !s.is_ok()) return s;
    if (Status s = docs_file.finish(&files_); !s.is_ok()) return s;
    if (Status s = freqs_file.finish(&files_); !s.is_ok()) return s;
    if (Status s = builder.finish(); !s.is_ok()) return s;
    files_.push_back(FileRecord{std::string(segment::kTermsFile), terms_sink.size(), terms_sink.crc()});
    return Status::ok();
  }

  // Appends term and its entries in the segments that hold it to the group.
  Status add_term(const std::string& term, const std::vector<TermUnion::Holder>& holders, TermGroup* group) const {
    std::uint64_t count = 0;
    for (const TermUnion::Holder& h : holders) {
      const SegmentReader& segment = *run_[h.source];
      if (h.ordinal >= segment.info().num_terms) {
        return Status::corruption(segment.dir() + ": terms.fst gives an ordinal past offsets.bin");
      }
      TermEntry entry;
      if (Status s = segment.term_entry(h.ordinal, &entry); !s.is_ok()) return s;
      group->holders.emplace_back(h.source, entry);
      count += entry.doc_count;
    }
    group->terms.push_back(term);
    group->holders_end.push_back(group->holders.size());
    group->counts.push_back(count);
    group->postings += count;
    return Status::ok();
  }

  // Encodes the group's terms, appends them to the files, the offsets and
  // the FST, and empties the group.
  Status flush(TermGroup* group, segment::FootedFileWriter* docs_file, segment::FootedFileWriter* freqs_file,
               fst::FstBuilder* builder) {
    if (group->terms.empty()) return Status::ok();
    const EncodedGroup encoded = encode_group(*group);
    for (const Status& s : encoded.part_status) {
      if (!s.is_ok()) return s;
    }
    for (std::size_t part = 0; part + 1 < encoded.part_begin.size(); ++part) {
      const std::uint64_t docs_base = docs_file->size(), freqs_base = freqs_file->size();
      std::uint64_t docs_at = 0, freqs_at = 0;
      for (std::size_t t = encoded.part_begin[part]; t < encoded.part_begin[part + 1]; ++t) {
        if (encoded.kept[t] == 0) continue;  // every posting dropped: no ordinal, no bytes
        TermEntry entry;
        entry.doc_offset = docs_base + docs_at;
        entry.doc_len = static_cast<std::uint32_t>(encoded.docs_end[t] - docs_at);
        entry.freq_offset = freqs_base + freqs_at;
        entry.freq_len = static_cast<std::uint32_t>(encoded.freqs_end[t] - freqs_at);
        entry.doc_count = encoded.kept[t];
        offsets_.add(entry);
        if (Status s = builder->add(group->terms[t], num_terms_++); !s.is_ok()) return s;
        docs_at = encoded.docs_end[t];
        freqs_at = encoded.freqs_end[t];
      }
      if (Status s = docs_file->write(encoded.docs_parts[part]); !s.is_ok()) return s;
      if (Status s = freqs_file->write(encoded.freqs_parts[part]); !s.is_ok()) return s;
    }
    group->clear();
    return Status::ok();
  }

  // The group's terms in parts of about equal work (by postings, a rule of
  // the group alone, so the output does not depend on the threads), encoded
  // in parallel.
  EncodedGroup encode_group(const TermGroup& group) const {
    constexpr std::size_t kParts = 32;
    EncodedGroup out;
    out.part_begin.push_back(0);
    const std::uint64_t per_part = group.postings / kParts + 1;
    std::uint64_t acc = 0;
    for (std::size_t t = 0; t < group.terms.size(); ++t) {
      acc += group.counts[t] + 1;
      if (acc >= per_part && t + 1 < group.terms.size()) {
        out.part_begin.push_back(t + 1);
        acc = 0;
      }
    }
    out.part_begin.push_back(group.terms.size());
    const std::size_t parts = out.part_begin.size() - 1;
    out.docs_parts.resize(parts);
    out.freqs_parts.resize(parts);
    out.part_status.resize(parts);
    out.docs_end.resize(group.terms.size());
    out.freqs_end.resize(group.terms.size());
    out.kept.resize(group.terms.size());
    tbb::enumerable_thread_specific<Scratch> scratch;
    arena_.execute([&] {
      tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t part) {
        Scratch& s = scratch.local();
        for (std::size_t t = out.part_begin[part]; t < out.part_begin[part + 1]; ++t) {
          out.part_status[part] =
              merge_term(group, t, &s, &out.docs_parts[part], &out.freqs_parts[part], &out.kept[t]);
          if (!out.part_status[part].is_ok()) return;
          out.docs_end[t] = out.docs_parts[part].size();
          out.freqs_end[t] = out.freqs_parts[part].size();
        }
      });
    });
    return out;
  }

  // Term t's postings over the run, the dropped docs' left out and the
  // others' ids mapped into the merged segment, encoded (impacts from the
  // merged doc lengths); *kept gets their count (0: nothing appended).
  Status merge_term(const TermGroup& group, std::size_t t, Scratch* s, std::string* docs_out, std::string* freqs_out,
                    std::uint32_t* kept) const {
    s->merged_docs.clear();
    s->merged_freqs.clear();
    for (std::size_t h = t == 0 ? 0 : group.holders_end[t - 1]; h < group.holders_end[t]; ++h) {
      const auto& [source, entry] = group.holders[h];
      if (Status st = run_[source]->postings(entry, &s->docs, &s->freqs); !st.is_ok()) {
        return Status::corruption(run_[source]->dir() + ": postings of term '" + group.terms[t] +
                                  "': " + st.message());
      }
      append_mapped(source, *s, &s->merged_docs, &s->merged_freqs);
    }
    if (s->merged_docs.size() > postings::kMaxPostings) {
      return Status::invalid_argument(dir_ + ": a term occurs in more than " + std::to_string(postings::kMaxPostings) +
                                      " chunks of one segment (merge fewer segments)");
    }
    *kept = static_cast<std::uint32_t>(s->merged_docs.size());
    if (*kept == 0) return Status::ok();
    postings::append_postings(s->merged_docs.data(), s->merged_freqs.data(), s->merged_docs.size(),
                              doc_lengths_.data(), docs_out, freqs_out);
    return Status::ok();
  }

  // Appends one input's decoded postings (s.docs, s.freqs) to docs and
  // freqs, its doc ids mapped into the merged segment, dropped docs left out.
  void append_mapped(std::size_t source, const Scratch& s, std::vector<std::uint32_t>* docs,
                     std::vector<std::uint32_t>* freqs) const {
    const std::vector<std::uint32_t>& map = doc_map_[source];
    if (map.empty()) {
      for (std::uint32_t d : s.docs) docs->push_back(d + doc_base_[source]);
      freqs->insert(freqs->end(), s.freqs.begin(), s.freqs.end());
      return;
    }
    for (std::size_t i = 0; i < s.docs.size(); ++i) {
      const std::uint32_t merged = map[s.docs[i]];  // s.docs[i] < num_docs: postings() validated it
      if (merged == kDroppedDoc) continue;
      docs->push_back(merged);
      freqs->push_back(s.freqs[i]);
    }
  }

  // offsets.bin, doc_lengths.bin, chunks.bin and (store_text) text.bin.
  Status write_tables() {
    if (Status s = write_offsets_and_doc_lengths(dir_, offsets_, doc_lengths_, &files_); !s.is_ok()) return s;
    offsets_ = segment::TermTableWriter();
    return write_chunks_and_text();
  }

  // chunks.bin and books.bin: every segment's kept books and their chunks,
  // in order; text.bin: their blocks copied as stored, then the table of
  // the merged file.
  Status write_chunks_and_text() {
    segment::ChunkTableWriter chunks(store_text_);
    segment::BookTableWriter books;
    segment::TextTableWriter table;
    segment::TextStoreAppender text;
    if (store_text_) {
      if (Status s = text.open(dir_ + "/" + std::string(segment::kTextFile)); !s.is_ok()) return s;
    }
    for (std::size_t i = 0; i < run_.size(); ++i) {
      const SegmentReader& segment = *run_[i];
      if (store_text_ && segment.text_store() == nullptr) {
        return Status::invalid_argument(segment.dir() + ": opened without its stored text");
      }
      const std::vector<std::uint32_t>& dropped = dropped_books_[i];
      std::size_t next_dropped = 0;
      for (std::uint32_t b = 0; b < segment.num_books(); ++b) {
        if (next_dropped < dropped.size() && dropped[next_dropped] == b) {
          ++next_dropped;
          continue;
        }
        const std::uint32_t blocks = store_text_ ? copy_book_text(segment, b, &table, &text) : 0;
        chunks.add_book(segment.book_name(b), blocks);
        books.add(segment.book_record(b));
        for (std::uint32_t d = segment.first_chunk(b); d < segment.end_chunk(b); ++d) {
          const segment::ChunkEntry c = segment.chunk(d);
          chunks.add_chunk(c.start, c.end, c.byte_start, c.byte_end);
        }
      }
      segment.release_pages();
      if (stopped()) return cancelled();
    }
    if (Status s = chunks.write(dir_, &files_); !s.is_ok()) return s;
    if (Status s = books.write(dir_, &files_); !s.is_ok()) return s;
    if (!store_text_) return Status::ok();
    if (Status s = text.close(); !s.is_ok()) return s;
    return table.write(dir_, text.size(), text.crc(), &files_);
  }

  // Appends book's stored blocks to text (errors surface at text.close())
  // and to the table; returns their count.
  static std::uint32_t copy_book_text(const SegmentReader& segment, std::uint32_t book, segment::TextTableWriter* table,
                                      segment::TextStoreAppender* text) {
    const segment::TextStore& store = *segment.text_store();
    const std::uint32_t first = segment.first_text_block(book), count = segment.text_blocks(book);
    std::vector<segment::TextBlock> blocks(count);
    for (std::uint32_t k = 0; k < count; ++k) (void)text->append(store.deflated_block(first + k, &blocks[k]));
    table->add_book(blocks);
    return count;
  }

  Result<SegmentInfo> publish() {
    SegmentInfo info;
    info.name = name_;
    info.base_doc_id = run_.front()->info().base_doc_id;
    info.num_docs = doc_lengths_.size();
    info.num_books = num_books_;
    info.num_terms = num_terms_;
    info.total_length = std::accumulate(doc_lengths_.begin(), doc_lengths_.end(), std::uint64_t{0});
    if (Status s = publish_segment(index_dir_, store_text_, files_, &info); !s.is_ok()) return s;
    return info;
  }

  const std::vector<std::shared_ptr<SegmentReader>>& run_;
  const std::vector<std::vector<std::uint32_t>>& dropped_books_;  // per input, validated
  const std::string& index_dir_;
  const std::string& name_;
  const std::string dir_;
  const bool store_text_;
  const MergeOptions& options_;
  tbb::task_arena& arena_;

  std::vector<FileRecord> files_;  // finished files, in the order meta.json lists them
  std::vector<std::uint32_t> doc_lengths_;
  std::vector<std::uint32_t> doc_base_;  // per segment of the run: its first kept doc's merged id
  // Per segment of the run: local doc -> merged doc or kDroppedDoc; empty
  // when nothing of that segment is dropped (then the shift doc_base_).
  std::vector<std::vector<std::uint32_t>> doc_map_;
  segment::TermTableWriter offsets_;
  std::uint32_t num_terms_ = 0;
  std::uint64_t num_books_ = 0;
};

// InvalidArgument unless dropped_books has one list per input, each
// strictly ascending and below its segment's book count.
Status check_dropped_books(const std::vector<std::shared_ptr<SegmentReader>>& run,
                           const std::vector<std::vector<std::uint32_t>>& dropped_books) {
  if (dropped_books.size() != run.size()) {
    return Status::invalid_argument("merge_segments: expected " + std::to_string(run.size()) +
                                    " lists of dropped books (one per segment), got " +
                                    std::to_string(dropped_books.size()));
  }
  for (std::size_t i = 0; i < run.size(); ++i) {
    const std::vector<std::uint32_t>& dropped = dropped_books[i];
    for (std::size_t k = 0; k < dropped.size(); ++k) {
      if (dropped[k] >= run[i]->num_books() || (k > 0 && dropped[k] <= dropped[k - 1])) {
        return Status::invalid_argument(run[i]->dir() + ": dropped books must be ascending and below " +
                                        std::to_string(run[i]->num_books()) + ", got " +
                                        std::to_string(dropped[k]) + " at position " + std::to_string(k));
      }
    }
  }
  return Status::ok();
}

}  // namespace

Result<SegmentInfo> merge_segments(const std::vector<std::shared_ptr<SegmentReader>>& run,
                                   const std::vector<std::vector<std::uint32_t>>& dropped_books,
                                   const std::string& index_dir, const std::string& name, bool store_text,
                                   const MergeOptions& options, tbb::task_arena& arena) {
  if (run.empty()) return Status::invalid_argument("merge_segments: no segment to merge");
  if (options.postings_per_group == 0) return Status::invalid_argument("postings_per_group must be at least 1");
  if (Status s = check_dropped_books(run, dropped_books); !s.is_ok()) return s;
  return SegmentMerge(run, dropped_books, index_dir, name, store_text, options, arena).merge();
}

Result<SegmentInfo> merge_segments(const std::vector<std::shared_ptr<SegmentReader>>& run,
                                   const std::string& index_dir, const std::string& name, bool store_text,
                                   const MergeOptions& options, tbb::task_arena& arena) {
  std::vector<std::vector<std::uint32_t>> deleted;
  for (const auto& reader : run) deleted.push_back(reader->deletions().books);
  return merge_segments(run, deleted, index_dir, name, store_text, options, arena);
}

}  // namespace tomes::index
