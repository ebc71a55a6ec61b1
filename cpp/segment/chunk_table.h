// chunk_table.h: chunks.bin, where each chunk (doc) of a segment comes from:
// a header, per chunk its span in its book's text, per book its name
// (front-coded: the prefix it shares with the previous book's name, then
// the rest), its number of chunks and stored-text blocks, then the names'
// suffixes (segment_format.h: chunks_header, chunk_span, book_entry). Spans
// and book entries are packed columns (packed_columns.h); a span's start is
// stored as its overlap with the book's previous chunk, and each block of
// 128 spans has an anchor (its first chunk's start), so a reader can decode
// one chunk from at most 128 rows. This one decodes the starts and the
// names once, in check_entries (O(chunks), which it walks anyway), and
// keeps them in memory: 4 bytes a chunk (8 with stored text), as the doc
// lengths.
//
// A chunk's book is not stored with it: it is the last book whose first
// chunk is <= it, found by binary search over the books' first chunks.
//
// Thread safety: the writer belongs to one thread; a ChunkTable is
// immutable after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "segment/segment_format.h"
#include "segment/packed_columns.h"
#include "segment/segment_file.h"

namespace tomes::segment {

struct ChunkEntry {
  std::uint32_t book = 0;   // segment-local book
  std::uint32_t chunk = 0;  // index within the book
  std::uint32_t start = 0, end = 0;            // code points
  std::uint32_t byte_start = 0, byte_end = 0;  // UTF-8 bytes (store_text only, else 0)
};

class ChunkTableWriter {
 public:
  explicit ChunkTableWriter(bool store_text) : store_text_(store_text) {}
  // Starts the next book: its chunks are the ones added after this call;
  // with store_text its text is the next text_blocks blocks of text.bin.
  // REQUIRES: the previous book has at least one chunk.
  void add_book(std::string_view name, std::uint32_t text_blocks);
  // The next chunk of the current book. Byte spans are kept only with
  // store_text (they serve only to cut the stored text).
  void add_chunk(std::uint32_t start, std::uint32_t end, std::uint32_t byte_start, std::uint32_t byte_end);
  // Writes dir/chunks.bin. InvalidArgument if the names pass 4 GiB.
  Status write(const std::string& dir, std::vector<FileRecord>* files) const;

 private:
  bool store_text_;
  std::uint32_t chunks_ = 0, books_ = 0;
  std::uint32_t previous_end_ = 0, previous_byte_end_ = 0;
  std::string previous_name_;
  std::vector<std::uint64_t> spans_;  // per chunk its span columns
  std::vector<std::uint64_t> book_rows_;  // per book its entry columns (kChunks counted as chunks come)
  std::string anchors_, names_;
};

class ChunkTable {
 public:
  // Reads the header and the tables' block headers (chunks.bin without its
  // footer), O(blocks): Corruption naming path unless they agree with
  // num_docs and num_books, the span columns with store_text, and the
  // tables and names fill body exactly.
  static Result<ChunkTable> open(std::string_view body, std::uint64_t num_docs, std::uint64_t num_books,
                                 bool store_text, const std::string& path);
  // Checks every book and chunk entry against the names and, with stored
  // text, the text_blocks of text.bin, and that the tables are packed as the
  // writer packs them, so that lookups need no checks. O(chunks).
  Status check_entries(std::uint64_t text_blocks);

  std::uint32_t num_chunks() const { return num_chunks_; }
  std::uint32_t num_books() const { return num_books_; }
  // REQUIRES: local < num_chunks().
  ChunkEntry chunk(std::uint32_t local) const;
  // REQUIRES: book < num_books() and check_entries() passed.
  std::string_view book_name(std::uint32_t book) const;
  std::uint32_t first_text_block(std::uint32_t book) const { return first_text_block_[book]; }
  // Book b's chunks are the local docs [first_chunk(b), end_chunk(b)).
  // REQUIRES: book < num_books() and check_entries() passed.
  std::uint32_t first_chunk(std::uint32_t book) const { return first_chunk_[book]; }
  std::uint32_t end_chunk(std::uint32_t book) const {
    return book + 1 < num_books_ ? first_chunk_[book + 1] : num_chunks_;
  }
  std::uint32_t text_blocks(std::uint32_t book) const {
    return store_text_ ? static_cast<std::uint32_t>(books_.get(book, book_entry::kTextBlocks)) : 0;
  }

 private:
  // Anchor `which` (0: start, 1: byte start) of a block of spans.
  std::uint32_t anchor(std::uint64_t block, unsigned which) const;
  // Appends book's name to names_ from the previous one and the next suffix
  // (*suffix: where it starts, moved past it). Corruption unless in bounds
  // and the shared prefix the longest.
  Status decode_name(std::uint32_t book, std::uint64_t* suffix);
  // check_entries' pass over the spans, after the book entries; fills
  // starts_ and byte_starts_.
  Status check_spans();

  std::string path_;
  bool store_text_ = false;
  std::uint32_t num_chunks_ = 0, num_books_ = 0;
  unsigned span_columns_ = 0;
  PackedColumns spans_, books_;
  std::string_view anchors_, suffixes_;
  // Filled by check_entries: per book prefix sums of the entries, the
  // names decoded back to back and where each starts (and the end).
  std::vector<std::uint32_t> first_chunk_, first_text_block_;
  std::string names_;
  std::vector<std::uint64_t> name_offset_;
  // Per chunk its start (and byte start with store_text), decoded once by
  // check_entries as doc_lengths.bin is: a hit's span is then one lookup,
  // not a walk of up to 127 overlaps from its block's anchor.
  std::vector<std::uint32_t> starts_, byte_starts_;
};

}  // namespace tomes::segment
