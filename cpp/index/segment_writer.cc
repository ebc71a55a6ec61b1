#include "index/segment_writer.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/coding.h"
#include "common/crc32.h"
#include "common/file_footer.h"
#include "common/file_system.h"
#include "common/json.h"
#include "common/string_table.h"
#include "fst/fst_builder.h"
#include "index/segment_format.h"
#include "postings/postings_writer.h"

namespace tomes::index {

namespace {

// A sink that counts and checksums what passes through it to another sink.
class ChecksumSink final : public ByteSink {
 public:
  explicit ChecksumSink(ByteSink* inner) : inner_(inner) {}
  Status write(std::string_view bytes) override {
    crc_ = crc32_update(crc_, bytes);
    size_ += bytes.size();
    return inner_->write(bytes);
  }
  Status finish() override { return inner_->finish(); }
  std::uint32_t crc() const { return crc_; }
  std::uint64_t size() const { return size_; }

 private:
  ByteSink* inner_;
  std::uint32_t crc_ = 0;
  std::uint64_t size_ = 0;
};

struct FileRecord {
  std::string name;
  std::uint64_t bytes;
  std::uint32_t crc;
};

// A file written piece by piece, then footed, checksummed as it goes.
class StreamedFile {
 public:
  StreamedFile(const std::string& path, std::string_view magic) : file_(path), sink_(&file_), magic_(magic) {}
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

// Calls fn(doc, term id, tf) for every pair of the batch's kept books, docs
// in order (local doc ids counted from 0).
template <class Fn>
void for_each_pair(const Batch& batch, Fn&& fn) {
  std::uint32_t doc = 0;
  for (const ParsedBook& book : batch.books) {
    if (book.skipped || book.duplicate) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(book.pairs.data());
    for (std::size_t c = 0; c < book.chunk_ends.size(); ++c, ++doc) {
      const auto* end = reinterpret_cast<const unsigned char*>(book.pairs.data()) + book.chunk_ends[c];
      std::uint32_t next_id = 0, id, tf;
      while (p < end) {
        read_pair(&p, &next_id, &id, &tf);
        fn(doc, id, tf);
      }
    }
  }
}


}  // namespace

Result<SegmentInfo> write_segment(const Batch& batch, const std::string& index_dir, const std::string& name,
                                  std::uint64_t base_doc_id, bool store_text, std::uint64_t postings_per_pass,
                                  tbb::task_arena& arena) {
  const std::string final_dir = index_dir + "/" + name;
  const std::string dir = index_dir + "/.tmp-" + name;
  if (Status s = remove_tree(dir); !s.is_ok()) return s;
  if (Status s = make_directory(dir); !s.is_ok()) return s;
  std::vector<FileRecord> files;

  // Terms: the batch's ids, with their document frequencies in this segment
  // (a duplicate book's terms may have none), in byte order = ordinals.
  std::vector<std::string_view> term_of;
  batch.dictionary->terms(&term_of);
  std::vector<std::uint32_t> df(term_of.size(), 0);
  std::vector<std::uint32_t> doc_lengths;
  for (const ParsedBook& book : batch.books) {
    if (book.skipped || book.duplicate) continue;
    doc_lengths.insert(doc_lengths.end(), book.chunk_lengths.begin(), book.chunk_lengths.end());
  }
  for_each_pair(batch, [&](std::uint32_t, std::uint32_t id, std::uint32_t) { ++df[id]; });
  std::vector<std::uint32_t> order;
  for (std::uint32_t id = 0; id < df.size(); ++id) {
    if (df[id] > 0) order.push_back(id);
  }
  arena.execute([&] {
    tbb::parallel_sort(order.begin(), order.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return term_of[a] < term_of[b]; });
  });
  if (doc_lengths.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument(final_dir + ": more than 2^32 - 2 chunks in one segment (lower batch_bytes)");
  }
  const auto num_terms = static_cast<std::uint32_t>(order.size());
  const auto num_docs = static_cast<std::uint32_t>(doc_lengths.size());
  constexpr std::uint32_t kAbsent = 0xFFFFFFFFu;
  std::vector<std::uint32_t> ordinal_of(term_of.size(), kAbsent);
  std::vector<std::uint64_t> first(num_terms + 1, 0);  // ordinal -> its first posting, over all
  for (std::uint32_t o = 0; o < num_terms; ++o) {
    ordinal_of[order[o]] = o;
    first[o + 1] = first[o] + df[order[o]];
    if (df[order[o]] > postings::kMaxPostings) {
      return Status::invalid_argument(final_dir + ": a term occurs in more than " +
                                      std::to_string(postings::kMaxPostings) +
                                      " chunks of one segment (lower batch_bytes)");
    }
  }
  std::vector<std::uint32_t>().swap(df);

  // Postings, one range of ordinals per pass: place the range's pairs by a
  // counting sort (doc order within each term, as the pairs come in doc
  // order), encode its terms in parallel, append to the files.
  StreamedFile docs_file(dir + "/" + std::string(kDocsFile), kDocsMagic);
  StreamedFile freqs_file(dir + "/" + std::string(kFreqsFile), kFreqsMagic);
  if (!docs_file.status().is_ok()) return docs_file.status();
  if (!freqs_file.status().is_ok()) return freqs_file.status();
  std::string offsets;
  offsets.reserve(std::size_t{num_terms} * kOffsetEntryBytes);
  std::vector<std::uint32_t> docs, freqs;
  std::vector<std::uint64_t> fill;
  for (std::uint32_t begin = 0; begin < num_terms;) {
    std::uint32_t end = begin + 1;
    while (end < num_terms && first[end + 1] - first[begin] <= postings_per_pass) ++end;
    const std::uint64_t base = first[begin];
    const std::uint64_t count = first[end] - base;
    docs.resize(count);
    freqs.resize(count);
    fill.assign(first.begin() + begin, first.begin() + end);
    for_each_pair(batch, [&](std::uint32_t doc, std::uint32_t id, std::uint32_t tf) {
      const std::uint32_t o = ordinal_of[id];
      if (o < begin || o >= end) return;
      const std::uint64_t at = fill[o - begin]++ - base;
      docs[at] = doc;
      freqs[at] = tf;
    });
    // Encode in parallel over sub-ranges of about equal work.
    constexpr std::size_t kParts = 32;
    std::vector<std::uint32_t> part_begin{begin};
    const std::uint64_t per_part = count / kParts + 1;
    std::uint64_t acc = 0;
    for (std::uint32_t o = begin; o < end; ++o) {
      acc += first[o + 1] - first[o] + 1;
      if (acc >= per_part && o + 1 < end) {
        part_begin.push_back(o + 1);
        acc = 0;
      }
    }
    part_begin.push_back(end);
    const std::size_t parts = part_begin.size() - 1;
    std::vector<std::string> docs_parts(parts), freqs_parts(parts);
    std::vector<std::uint64_t> docs_end(end - begin), freqs_end(end - begin);
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, parts, [&](std::size_t r) {
        for (std::uint32_t o = part_begin[r]; o < part_begin[r + 1]; ++o) {
          const std::uint64_t at = first[o] - base;
          postings::append_postings(docs.data() + at, freqs.data() + at, first[o + 1] - first[o],
                                    doc_lengths.data(), &docs_parts[r], &freqs_parts[r]);
          docs_end[o - begin] = docs_parts[r].size();
          freqs_end[o - begin] = freqs_parts[r].size();
        }
      });
    });
    for (std::size_t r = 0; r < parts; ++r) {
      const std::uint64_t docs_base = docs_file.size(), freqs_base = freqs_file.size();
      std::uint64_t docs_at = 0, freqs_at = 0;
      for (std::uint32_t o = part_begin[r]; o < part_begin[r + 1]; ++o) {
        put_u64(&offsets, docs_base + docs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(docs_end[o - begin] - docs_at));
        put_u64(&offsets, freqs_base + freqs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(freqs_end[o - begin] - freqs_at));
        put_u32(&offsets, static_cast<std::uint32_t>(first[o + 1] - first[o]));
        docs_at = docs_end[o - begin];
        freqs_at = freqs_end[o - begin];
      }
      if (Status s = docs_file.write(docs_parts[r]); !s.is_ok()) return s;
      if (Status s = freqs_file.write(freqs_parts[r]); !s.is_ok()) return s;
    }
    begin = end;
  }
  std::vector<std::uint32_t>().swap(docs);
  std::vector<std::uint32_t>().swap(freqs);
  if (Status s = docs_file.finish(std::string(kDocsFile), &files); !s.is_ok()) return s;
  if (Status s = freqs_file.finish(std::string(kFreqsFile), &files); !s.is_ok()) return s;

  // Chunks, books and stored text.
  std::string chunks_head, chunk_entries, book_entries, names;
  std::string text_table;
  std::uint64_t text_bytes = 0;
  std::vector<const std::string*> text_pieces;  // each book's deflated blocks, written in place
  std::uint32_t num_books = 0, doc = 0, text_block = 0;
  std::uint64_t total_length = 0;
  for (const ParsedBook& book : batch.books) {
    if (book.skipped || book.duplicate) continue;
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
      total_length += book.chunk_lengths[c];
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
      text_pieces.push_back(&book.deflated);
    }
    ++num_books;
  }
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
    for (std::uint32_t o = 0; o < num_terms; ++o) {
      if (Status s = builder.add(term_of[order[o]], o); !s.is_ok()) return s;
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
    std::string count;
    put_u64(&count, text_block);
    text_pieces.push_back(&text_table);
    text_pieces.push_back(&count);
    if (Status s = write_pieces(dir, kTextFile, text_pieces, kTextMagic, &files);
        !s.is_ok()) {
      return s;
    }
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
