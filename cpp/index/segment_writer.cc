#include "index/segment_writer.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
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

// Writes pieces (then a footer) to dir/name, fsynced.
Status write_pieces(const std::string& dir, std::string_view name, const std::vector<const std::string*>& pieces,
                    std::string_view magic, std::vector<FileRecord>* files) {
  const std::string path = dir + "/" + std::string(name);
  FileSink file(path);
  if (!file.status().is_ok()) return file.status();
  ChecksumSink sink(&file);
  for (const std::string* piece : pieces) {
    if (Status s = sink.write(*piece); !s.is_ok()) return s;
  }
  const std::string footer = make_footer(magic, kSegmentFormatVersion, sink.crc());
  if (Status s = sink.write(footer); !s.is_ok()) return s;
  if (Status s = sink.finish(); !s.is_ok()) return s;
  files->push_back(FileRecord{std::string(name), sink.size(), sink.crc()});
  return Status::ok();
}

Status write_one(const std::string& dir, std::string_view name, const std::string& body, std::string_view magic,
                 std::vector<FileRecord>* files) {
  return write_pieces(dir, name, {&body}, magic, files);
}

// The batch's inverted index: terms (by batch id) and their postings.
struct Inversion {
  std::string term_bytes;
  std::vector<std::uint64_t> term_ends;   // batch id -> end in term_bytes
  std::vector<std::uint64_t> list_start;  // batch id -> first posting (size + 1 entries)
  std::vector<std::uint32_t> docs;        // all postings, grouped by batch id, doc order inside
  std::vector<std::uint32_t> freqs;
  std::vector<std::uint32_t> doc_lengths;  // local doc -> dl

  std::string_view term(std::uint32_t id) const {
    const std::uint64_t begin = id == 0 ? 0 : term_ends[id - 1];
    return std::string_view(term_bytes).substr(begin, term_ends[id] - begin);
  }
};

void invert(const Batch& batch, Inversion* inv) {
  StringTable table;
  std::vector<std::vector<std::uint32_t>> to_batch(batch.books.size());
  std::vector<std::uint64_t> df;
  // Pass 1: intern each book's distinct terms, count document frequencies.
  for (std::size_t b = 0; b < batch.books.size(); ++b) {
    const ParsedBook& book = batch.books[b];
    if (book.skipped || book.duplicate) continue;
    std::vector<std::uint32_t>& map = to_batch[b];
    map.resize(book.term_ends.size());
    for (std::size_t t = 0; t < book.term_ends.size(); ++t) {
      const std::uint32_t begin = t == 0 ? 0 : book.term_ends[t - 1];
      const std::string_view term(book.term_bytes.data() + begin, book.term_ends[t] - begin);
      const std::uint64_t h = hash_bytes(term);
      if (const std::uint64_t* found = table.find(term, h)) {
        map[t] = static_cast<std::uint32_t>(*found);
      } else {
        const auto id = static_cast<std::uint32_t>(inv->term_ends.size());
        table.insert_new(term, h, id);
        inv->term_bytes.append(term);
        inv->term_ends.push_back(inv->term_bytes.size());
        df.push_back(0);
        map[t] = id;
      }
    }
    for (const TermFrequency& p : book.postings) ++df[map[p.term]];
    inv->doc_lengths.insert(inv->doc_lengths.end(), book.chunk_lengths.begin(), book.chunk_lengths.end());
  }
  // Pass 2: counting sort of the postings by term, filled in doc order.
  inv->list_start.assign(df.size() + 1, 0);
  for (std::size_t id = 0; id < df.size(); ++id) inv->list_start[id + 1] = inv->list_start[id] + df[id];
  const std::uint64_t total = inv->list_start.back();
  inv->docs.resize(total);
  inv->freqs.resize(total);
  std::vector<std::uint64_t> fill(inv->list_start.begin(), inv->list_start.end() - 1);
  std::uint32_t doc = 0;
  for (std::size_t b = 0; b < batch.books.size(); ++b) {
    const ParsedBook& book = batch.books[b];
    if (book.skipped || book.duplicate) continue;
    const std::vector<std::uint32_t>& map = to_batch[b];
    std::uint64_t begin = 0;
    for (std::size_t c = 0; c < book.chunk_ends.size(); ++c, ++doc) {
      for (std::uint64_t i = begin; i < book.chunk_ends[c]; ++i) {
        const TermFrequency& p = book.postings[i];
        const std::uint64_t at = fill[map[p.term]]++;
        inv->docs[at] = doc;
        inv->freqs[at] = p.tf;
      }
      begin = book.chunk_ends[c];
    }
  }
}

}  // namespace

Result<SegmentInfo> write_segment(const Batch& batch, const std::string& index_dir, const std::string& name,
                                  std::uint64_t base_doc_id, bool store_text, tbb::task_arena& arena) {
  Inversion inv;
  invert(batch, &inv);
  const auto num_terms = static_cast<std::uint32_t>(inv.term_ends.size());
  const auto num_docs = static_cast<std::uint32_t>(inv.doc_lengths.size());

  // Term ordinals: batch ids in byte order of their terms.
  std::vector<std::uint32_t> order(num_terms);
  std::iota(order.begin(), order.end(), 0u);
  arena.execute([&] {
    tbb::parallel_sort(order.begin(), order.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return inv.term(a) < inv.term(b); });
  });

  // Postings, encoded in parallel over ranges of ordinals of about equal work.
  constexpr std::size_t kRanges = 64;
  std::vector<std::uint32_t> range_begin{0};
  {
    const std::uint64_t per_range = inv.docs.size() / kRanges + 1;
    std::uint64_t acc = 0;
    for (std::uint32_t o = 0; o < num_terms; ++o) {
      const std::uint32_t id = order[o];
      acc += inv.list_start[id + 1] - inv.list_start[id] + 1;
      if (acc >= per_range && o + 1 < num_terms) {
        range_begin.push_back(o + 1);
        acc = 0;
      }
    }
    range_begin.push_back(num_terms);
  }
  const std::size_t ranges = range_begin.size() - 1;
  std::vector<std::string> docs_parts(ranges), freqs_parts(ranges);
  // Per ordinal: end of its doc and freq region within its range's part.
  std::vector<std::uint64_t> docs_end(num_terms), freqs_end(num_terms);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, ranges, [&](std::size_t r) {
      for (std::uint32_t o = range_begin[r]; o < range_begin[r + 1]; ++o) {
        const std::uint32_t id = order[o];
        const std::uint64_t begin = inv.list_start[id];
        const std::uint64_t n = inv.list_start[id + 1] - begin;
        postings::append_postings(inv.docs.data() + begin, inv.freqs.data() + begin, n,
                                  inv.doc_lengths.data(), &docs_parts[r], &freqs_parts[r]);
        docs_end[o] = docs_parts[r].size();
        freqs_end[o] = freqs_parts[r].size();
      }
    });
  });
  std::string offsets;
  offsets.reserve(std::size_t{num_terms} * kOffsetEntryBytes);
  {
    std::uint64_t docs_base = 0, freqs_base = 0;
    for (std::size_t r = 0; r < ranges; ++r) {
      std::uint64_t docs_at = 0, freqs_at = 0;
      for (std::uint32_t o = range_begin[r]; o < range_begin[r + 1]; ++o) {
        const std::uint32_t id = order[o];
        put_u64(&offsets, docs_base + docs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(docs_end[o] - docs_at));
        put_u64(&offsets, freqs_base + freqs_at);
        put_u32(&offsets, static_cast<std::uint32_t>(freqs_end[o] - freqs_at));
        put_u32(&offsets, static_cast<std::uint32_t>(inv.list_start[id + 1] - inv.list_start[id]));
        docs_at = docs_end[o];
        freqs_at = freqs_end[o];
      }
      docs_base += docs_parts[r].size();
      freqs_base += freqs_parts[r].size();
    }
  }
  std::vector<std::uint32_t>().swap(inv.docs);
  std::vector<std::uint32_t>().swap(inv.freqs);

  // Chunks, books and stored text.
  std::string chunks_head, chunk_entries, book_entries, names;
  std::string text_data, text_table;
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
      put_u32(&chunk_entries, num_books);
      put_u32(&chunk_entries, static_cast<std::uint32_t>(c));
      put_u32(&chunk_entries, span.start);
      put_u32(&chunk_entries, span.end);
      put_u32(&chunk_entries, span.byte_start);
      put_u32(&chunk_entries, span.byte_end);
      total_length += book.chunk_lengths[c];
    }
    if (store_text) {
      std::uint64_t at = 0;
      for (const TextBlock& block : book.text_blocks) {
        put_u64(&text_table, text_data.size());
        put_u32(&text_table, block.deflated_bytes);
        put_u32(&text_table, block.raw_bytes);
        text_data.append(book.deflated, at, block.deflated_bytes);
        at += block.deflated_bytes;
        ++text_block;
      }
    }
    ++num_books;
  }
  put_u32(&chunks_head, num_docs);
  put_u32(&chunks_head, num_books);
  put_u64(&chunks_head, names.size());
  std::string lengths;
  lengths.reserve(std::size_t{num_docs} * 4);
  for (std::uint32_t dl : inv.doc_lengths) put_u32(&lengths, dl);

  // Files, into a temporary directory renamed into place at the end.
  const std::string final_dir = index_dir + "/" + name;
  const std::string dir = index_dir + "/.tmp-" + name;
  if (Status s = remove_tree(dir); !s.is_ok()) return s;
  if (Status s = make_directory(dir); !s.is_ok()) return s;
  std::vector<FileRecord> files;
  {
    const std::string path = dir + "/" + std::string(kTermsFile);
    FileSink file(path);
    if (!file.status().is_ok()) return file.status();
    ChecksumSink sink(&file);
    fst::FstBuilder builder(&sink);
    for (std::uint32_t o = 0; o < num_terms; ++o) {
      if (Status s = builder.add(inv.term(order[o]), o); !s.is_ok()) return s;
    }
    if (Status s = builder.finish(); !s.is_ok()) return s;
    files.push_back(FileRecord{std::string(kTermsFile), sink.size(), sink.crc()});
  }
  if (Status s = write_one(dir, kOffsetsFile, offsets, kOffsetsMagic, &files); !s.is_ok()) return s;
  {
    std::vector<const std::string*> pieces;
    for (const std::string& part : docs_parts) pieces.push_back(&part);
    if (Status s = write_pieces(dir, kDocsFile, pieces, kDocsMagic, &files); !s.is_ok()) return s;
    pieces.clear();
    for (const std::string& part : freqs_parts) pieces.push_back(&part);
    if (Status s = write_pieces(dir, kFreqsFile, pieces, kFreqsMagic, &files); !s.is_ok()) return s;
  }
  if (Status s = write_one(dir, kDocLengthsFile, lengths, kDocLengthsMagic, &files); !s.is_ok()) return s;
  if (Status s = write_pieces(dir, kChunksFile, {&chunks_head, &chunk_entries, &book_entries, &names},
                              kChunksMagic, &files);
      !s.is_ok()) {
    return s;
  }
  if (store_text) {
    std::string count;
    put_u64(&count, text_block);
    if (Status s = write_pieces(dir, kTextFile, {&text_data, &text_table, &count}, kTextMagic, &files);
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
