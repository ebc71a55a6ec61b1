#include "index/segment_writer.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/coding.h"
#include "common/file_footer.h"
#include "common/file_system.h"
#include "common/json.h"
#include "fst/fst_builder.h"
#include "index/segment_format.h"
#include "postings/postings_writer.h"

namespace tomes::index {

namespace {

struct FileRecord {
  std::string name;
  std::uint64_t bytes;
  std::uint32_t crc;
};

// A file written piece by piece, then footed, checksummed as it goes.
class StreamedFile {
 public:
  StreamedFile(const std::string& path, std::string_view magic) : file_(path), sink_(&file_), magic_(magic) {}
  // Appends to a file that holds `size` bytes with checksum `crc` already.
  StreamedFile(const std::string& path, std::string_view magic, std::uint64_t size, std::uint32_t crc)
      : file_(path, FileSink::Mode::kAppend), sink_(&file_, crc, size), magic_(magic) {}
  Status status() const { return file_.status(); }
  Status write(std::string_view bytes) { return sink_.write(bytes); }
  std::uint64_t size() const { return sink_.size(); }
  Status finish(std::string name, std::vector<FileRecord>* files) {
    const std::string footer = make_footer(magic_, kSegmentFormatVersion, sink_.crc());
    if (Status s = sink_.write(footer); !s.is_ok()) return s;
    if (Status s = sink_.finish(); !s.is_ok()) return s;
    files->push_back(FileRecord{std::move(name), sink_.size(), sink_.crc()});
    return Status::ok();
  }

 private:
  FileSink file_;
  ChecksumSink sink_;
  std::string_view magic_;
};

// Writes pieces, then a footer, to dir/name, fsynced.
Status write_pieces(const std::string& dir, std::string_view name, const std::vector<const std::string*>& pieces,
                    std::string_view magic, std::vector<FileRecord>* files) {
  StreamedFile file(dir + "/" + std::string(name), magic);
  if (!file.status().is_ok()) return file.status();
  for (const std::string* piece : pieces) {
    if (Status s = file.write(*piece); !s.is_ok()) return s;
  }
  return file.finish(std::string(name), files);
}

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

}  // namespace

Result<SegmentInfo> write_segment(Batch& batch, const std::string& index_dir, const std::string& name,
                                  std::uint64_t base_doc_id, bool store_text, std::uint64_t postings_per_pass,
                                  tbb::task_arena& arena) {
  const std::string final_dir = index_dir + "/" + name;
  const std::string dir = index_dir + "/.tmp-" + name;
  if (!store_text) {  // else the directory holds the text so far (batch.h)
    if (Status s = remove_tree(dir); !s.is_ok()) return s;
    if (Status s = make_directory(dir); !s.is_ok()) return s;
  }
  std::vector<FileRecord> files;

  // Terms: every term of the batch's dictionary in byte order (its rank); a
  // term may have no posting in this segment (only a duplicate book had it),
  // so ordinals, the FST's values, count only the ranks with postings.
  std::vector<std::string_view> term_of;
  batch.dictionary->terms(&term_of);
  const std::size_t vocabulary = term_of.size();
  std::vector<std::uint32_t> by_rank(vocabulary);
  std::iota(by_rank.begin(), by_rank.end(), 0u);
  arena.execute([&] {
    tbb::parallel_sort(by_rank.begin(), by_rank.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return term_of[a] < term_of[b]; });
  });
  std::vector<ParsedBook*> kept;
  std::vector<std::uint32_t> doc_lengths;
  for (ParsedBook& book : batch.books) {
    if (book.skipped || book.duplicate) continue;
    kept.push_back(&book);
    doc_lengths.insert(doc_lengths.end(), book.chunk_lengths.begin(), book.chunk_lengths.end());
  }
  if (doc_lengths.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument(final_dir + ": more than 2^32 - 2 chunks in one segment (lower batch_bytes)");
  }
  const auto num_docs = static_cast<std::uint32_t>(doc_lengths.size());

  // Each book's pairs, rewritten by rank in parallel (one decode of every
  // pair, on every core), counting document frequencies per thread.
  std::vector<std::uint32_t> df(vocabulary, 0);
  {
    std::vector<std::uint32_t> rank_of(vocabulary);
    for (std::uint32_t r = 0; r < vocabulary; ++r) rank_of[by_rank[r]] = r;
    tbb::enumerable_thread_specific<std::vector<std::uint32_t>> thread_df;
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, kept.size(), [&](std::size_t i) {
        std::vector<std::uint32_t>& counts = thread_df.local();
        if (counts.empty()) counts.assign(vocabulary, 0);
        rerank_pairs(rank_of, kept[i], &counts);
      });
    });
    for (const std::vector<std::uint32_t>& counts : thread_df) {
      for (std::size_t r = 0; r < counts.size(); ++r) df[r] += counts[r];
    }
  }
  std::vector<std::uint64_t> first(vocabulary + 1, 0);  // rank -> its first posting, over all
  std::uint32_t num_terms = 0;
  for (std::size_t r = 0; r < vocabulary; ++r) {
    first[r + 1] = first[r] + df[r];
    if (df[r] > 0) ++num_terms;
    if (df[r] > postings::kMaxPostings) {
      return Status::invalid_argument(final_dir + ": a term occurs in more than " +
                                      std::to_string(postings::kMaxPostings) +
                                      " chunks of one segment (lower batch_bytes)");
    }
  }
  std::vector<std::uint32_t>().swap(df);

  // Postings, one range of ranks per pass: place the range's pairs by a
  // counting sort (doc order within each term, as the pairs come in doc
  // order), encode its terms in parallel, append to the files. Each chunk's
  // pairs are in rank order, so a pass resumes every chunk where the last
  // one stopped: over all passes each pair is read once.
  StreamedFile docs_file(dir + "/" + std::string(kDocsFile), kDocsMagic);
  StreamedFile freqs_file(dir + "/" + std::string(kFreqsFile), kFreqsMagic);
  if (!docs_file.status().is_ok()) return docs_file.status();
  if (!freqs_file.status().is_ok()) return freqs_file.status();
  std::string offsets;
  offsets.reserve(std::size_t{num_terms} * kOffsetEntryBytes);
  std::vector<std::uint32_t> docs, freqs;
  std::vector<std::uint64_t> fill;
  std::vector<std::uint64_t> resume_at(num_docs);       // byte offset in its book's pairs
  std::vector<std::uint32_t> resume_rank(num_docs, 0);  // the rank after the last one read
  {
    std::uint32_t doc = 0;
    for (const ParsedBook* book : kept) {
      std::uint64_t chunk_begin = 0;
      for (std::uint64_t chunk_end : book->chunk_ends) {
        resume_at[doc++] = chunk_begin;
        chunk_begin = chunk_end;
      }
    }
  }
  const auto ranks = static_cast<std::uint32_t>(vocabulary);
  for (std::uint32_t begin = 0; begin < ranks;) {
    std::uint32_t end = begin + 1;
    while (end < ranks && first[end + 1] - first[begin] <= postings_per_pass) ++end;
    const std::uint64_t base = first[begin];
    const std::uint64_t count = first[end] - base;
    docs.resize(count);
    freqs.resize(count);
    fill.assign(first.begin() + begin, first.begin() + end);
    std::uint32_t doc = 0;
    for (const ParsedBook* book : kept) {
      const auto* pairs = reinterpret_cast<const unsigned char*>(book->pairs.data());
      for (std::uint64_t chunk_end : book->chunk_ends) {
        const unsigned char* p = pairs + resume_at[doc];
        const unsigned char* const stop = pairs + chunk_end;
        std::uint32_t next_rank = resume_rank[doc];
        while (p < stop) {
          const unsigned char* after = p;
          std::uint32_t next = next_rank, rank, tf;
          read_pair(&after, &next, &rank, &tf);
          if (rank >= end) break;
          const std::uint64_t at = fill[rank - begin]++ - base;
          docs[at] = doc;
          freqs[at] = tf;
          p = after;
          next_rank = next;
        }
        resume_at[doc] = static_cast<std::uint64_t>(p - pairs);
        resume_rank[doc] = next_rank;
        ++doc;
      }
    }
    // Encode in parallel over sub-ranges of about equal work.
    constexpr std::size_t kParts = 32;
    std::vector<std::uint32_t> part_begin{begin};
    const std::uint64_t per_part = count / kParts + 1;
    std::uint64_t acc = 0;
    for (std::uint32_t r = begin; r < end; ++r) {
      acc += first[r + 1] - first[r] + 1;
      if (acc >= per_part && r + 1 < end) {
        part_begin.push_back(r + 1);
        acc = 0;
      }
    }
    part_begin.push_back(end);
    const std::size_t parts = part_begin.size() - 1;
    std::vector<std::string> docs_parts(parts), freqs_parts(parts);
    std::vector<std::uint64_t> docs_end(end - begin), freqs_end(end - begin);
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t part) {
        for (std::uint32_t r = part_begin[part]; r < part_begin[part + 1]; ++r) {
          const std::uint64_t at = first[r] - base;
          if (first[r + 1] > first[r]) {
            postings::append_postings(docs.data() + at, freqs.data() + at, first[r + 1] - first[r],
                                      doc_lengths.data(), &docs_parts[part], &freqs_parts[part]);
          }
          docs_end[r - begin] = docs_parts[part].size();
          freqs_end[r - begin] = freqs_parts[part].size();
        }
      });
    });
    for (std::size_t part = 0; part < parts; ++part) {
      const std::uint64_t docs_base = docs_file.size(), freqs_base = freqs_file.size();
      std::uint64_t docs_at = 0, freqs_at = 0;
      for (std::uint32_t r = part_begin[part]; r < part_begin[part + 1]; ++r) {
        if (first[r + 1] == first[r]) continue;  // no postings: no ordinal
        put_u64(&offsets, docs_base + docs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(docs_end[r - begin] - docs_at));
        put_u64(&offsets, freqs_base + freqs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(freqs_end[r - begin] - freqs_at));
        put_u32(&offsets, static_cast<std::uint32_t>(first[r + 1] - first[r]));
        docs_at = docs_end[r - begin];
        freqs_at = freqs_end[r - begin];
      }
      if (Status s = docs_file.write(docs_parts[part]); !s.is_ok()) return s;
      if (Status s = freqs_file.write(freqs_parts[part]); !s.is_ok()) return s;
    }
    begin = end;
  }
  std::vector<std::uint32_t>().swap(docs);
  std::vector<std::uint32_t>().swap(freqs);
  std::vector<std::uint64_t>().swap(resume_at);
  std::vector<std::uint32_t>().swap(resume_rank);
  if (Status s = docs_file.finish(std::string(kDocsFile), &files); !s.is_ok()) return s;
  if (Status s = freqs_file.finish(std::string(kFreqsFile), &files); !s.is_ok()) return s;

  // Chunks, books and stored text.
  std::string chunks_head, chunk_entries, book_entries, names;
  std::string text_table;
  std::uint64_t text_bytes = 0;
  std::uint32_t doc = 0, text_block = 0;
  for (const ParsedBook* kept_book : kept) {
    const ParsedBook& book = *kept_book;
    put_u64(&book_entries, names.size());
    put_u32(&book_entries, static_cast<std::uint32_t>(book.relative_path.size()));
    put_u32(&book_entries, doc);
    put_u32(&book_entries, store_text ? text_block : 0);
    put_u32(&book_entries, store_text ? static_cast<std::uint32_t>(book.text_blocks.size()) : 0);
    names.append(book.relative_path);
    for (std::size_t c = 0; c < book.chunks.size(); ++c, ++doc) {
      const chunk::ChunkSpan& span = book.chunks[c];
      put_u32(&chunk_entries, span.start);
      put_u32(&chunk_entries, span.end);
      if (store_text) {  // byte spans serve only to cut the stored text
        put_u32(&chunk_entries, span.byte_start);
        put_u32(&chunk_entries, span.byte_end);
      }
    }
    if (store_text) {
      std::uint64_t at = 0;
      for (const TextBlock& block : book.text_blocks) {
        put_u64(&text_table, text_bytes + at);
        put_u32(&text_table, block.deflated_bytes);
        put_u32(&text_table, block.raw_bytes);
        at += block.deflated_bytes;
        ++text_block;
      }
      text_bytes += at;
    }
  }
  const auto num_books = static_cast<std::uint32_t>(kept.size());
  const std::uint64_t total_length = std::accumulate(doc_lengths.begin(), doc_lengths.end(), std::uint64_t{0});
  if (names.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument(final_dir + ": book paths of more than 4 GiB in one segment (lower batch_size)");
  }
  put_u32(&chunks_head, num_docs);
  put_u32(&chunks_head, num_books);
  put_u32(&chunks_head, static_cast<std::uint32_t>(names.size()));
  put_u32(&chunks_head, static_cast<std::uint32_t>(store_text ? kChunkEntryWithBytes : kChunkEntryBytes));
  std::string lengths;
  lengths.reserve(std::size_t{num_docs} * 4);
  for (std::uint32_t dl : doc_lengths) put_u32(&lengths, dl);

  {
    const std::string path = dir + "/" + std::string(kTermsFile);
    FileSink file(path);
    if (!file.status().is_ok()) return file.status();
    ChecksumSink sink(&file);
    fst::FstBuilder builder(&sink);
    builder.reserve(num_terms);
    std::uint32_t ordinal = 0;
    for (std::uint32_t r = 0; r < ranks; ++r) {
      if (first[r + 1] == first[r]) continue;
      if (Status s = builder.add(term_of[by_rank[r]], ordinal++); !s.is_ok()) return s;
    }
    if (Status s = builder.finish(); !s.is_ok()) return s;
    files.push_back(FileRecord{std::string(kTermsFile), sink.size(), sink.crc()});
  }
  if (Status s = write_pieces(dir, kOffsetsFile, {&offsets}, kOffsetsMagic, &files); !s.is_ok()) return s;
  if (Status s = write_pieces(dir, kDocLengthsFile, {&lengths}, kDocLengthsMagic, &files); !s.is_ok()) return s;
  if (Status s = write_pieces(dir, kChunksFile, {&chunks_head, &chunk_entries, &book_entries, &names},
                              kChunksMagic, &files);
      !s.is_ok()) {
    return s;
  }
  if (store_text) {
    // The blocks are in the file already (book_settler.h); the table, the
    // count and the footer follow them.
    put_u64(&text_table, text_block);
    const std::string text_path = dir + "/" + std::string(kTextFile);
    Result<std::uint64_t> spilled = file_size(text_path);  // changed by another process?
    if (!spilled.is_ok()) return spilled.status();
    if (spilled.value() != batch.text_bytes) {
      return Status::io_error(text_path + ": holds " + std::to_string(spilled.value()) + " bytes, " +
                              std::to_string(batch.text_bytes) + " were written to it");
    }
    StreamedFile text(text_path, kTextMagic, batch.text_bytes, batch.text_crc);
    if (!text.status().is_ok()) return text.status();
    if (Status s = text.write(text_table); !s.is_ok()) return s;
    if (Status s = text.finish(std::string(kTextFile), &files); !s.is_ok()) return s;
  }
  Json meta = Json::object();
  meta.set("format_version", Json(kSegmentFormatVersion));
  meta.set("num_docs", Json(num_docs));
  meta.set("base_doc_id", Json(base_doc_id));
  meta.set("num_books", Json(num_books));
  meta.set("num_terms", Json(num_terms));
  meta.set("total_length", Json(total_length));
  meta.set("store_text", Json(store_text));
  Json file_list = Json::object();
  std::uint64_t bytes = 0;
  for (const FileRecord& f : files) {
    Json entry = Json::object();
    entry.set("bytes", Json(f.bytes));
    entry.set("crc32", Json(f.crc));
    file_list.set(f.name, std::move(entry));
    bytes += f.bytes;
  }
  meta.set("files", std::move(file_list));
  const std::string meta_text = dump_with_checksum(meta);
  {
    FileSink file(dir + "/" + std::string(kMetaFile));
    if (!file.status().is_ok()) return file.status();
    if (Status s = file.write(meta_text); !s.is_ok()) return s;
    if (Status s = file.finish(); !s.is_ok()) return s;
  }
  bytes += meta_text.size();
  if (Status s = sync_directory(dir); !s.is_ok()) return s;
  if (Status s = remove_tree(final_dir); !s.is_ok()) return s;
  if (Status s = rename_path(dir, final_dir); !s.is_ok()) return s;
  if (Status s = sync_directory(index_dir); !s.is_ok()) return s;

  SegmentInfo info;
  info.name = name;
  info.base_doc_id = base_doc_id;
  info.num_docs = num_docs;
  info.num_books = num_books;
  info.num_terms = num_terms;
  info.total_length = total_length;
  info.bytes = bytes;
  return info;
}

}  // namespace tomes::index
