// chunk_table.h: chunks.bin, where each chunk (doc) of a segment comes from:
// a header, one entry per chunk (its span in its book's text), one entry
// per book (its name, first chunk and stored-text blocks), then the names
// (segment_format.h: chunks_header, chunk_entry, book_entry).
//
// A chunk's book is not stored in its entry: it is the last book whose
// first chunk is <= it, found by binary search over the book entries.
//
// Thread safety: the writer belongs to one thread; a ChunkTable is
// immutable after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
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
  void add_book(std::string_view name, std::uint32_t text_blocks);
  // The next chunk of the current book. Byte spans are kept only with
  // store_text (they serve only to cut the stored text).
  void add_chunk(std::uint32_t start, std::uint32_t end, std::uint32_t byte_start, std::uint32_t byte_end);
  // Writes dir/chunks.bin. InvalidArgument if the names pass 4 GiB.
  Status write(const std::string& dir, std::vector<FileRecord>* files) const;

 private:
  bool store_text_;
  std::uint32_t chunks_ = 0, books_ = 0, text_blocks_ = 0;
  std::string chunk_entries_, book_entries_, names_;
};

class ChunkTable {
 public:
  // Reads the header and the sizes of body (chunks.bin without its footer):
  // Corruption naming path unless they agree with num_docs and num_books,
  // and the entry size with store_text.
  static Result<ChunkTable> open(std::string_view body, std::uint64_t num_docs, std::uint64_t num_books,
                                 bool store_text, const std::string& path);
  // Checks every book and chunk entry against the names and, with stored
  // text, the text_blocks of text.bin, so that lookups need no checks.
  Status check_entries(std::uint64_t text_blocks);

  std::uint32_t num_chunks() const { return num_chunks_; }
  std::uint32_t num_books() const { return num_books_; }
  // REQUIRES: local < num_chunks().
  ChunkEntry chunk(std::uint32_t local) const;
  // REQUIRES: book < num_books().
  std::string_view book_name(std::uint32_t book) const;
  std::uint32_t first_text_block(std::uint32_t book) const;
  // Book b's chunks are the local docs [first_chunk(b), end_chunk(b)).
  // REQUIRES: book < num_books() and check_entries() passed.
  std::uint32_t first_chunk(std::uint32_t book) const { return first_chunk_[book]; }
  std::uint32_t end_chunk(std::uint32_t book) const {
    return book + 1 < num_books_ ? first_chunk_[book + 1] : num_chunks_;
  }
  std::uint32_t text_blocks(std::uint32_t book) const;

 private:
  std::string path_;
  bool store_text_ = false;
  std::uint32_t num_chunks_ = 0, num_books_ = 0;
  std::size_t entry_bytes_ = 0;
  std::string_view chunks_, books_, names_;
  std::vector<std::uint32_t> first_chunk_;  // per book (ascending), filled by check_entries
};

}  // namespace tomes::segment
