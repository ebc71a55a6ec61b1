// book_table.h: books.bin, per book of a segment what keeps an index in step
// with its sources (segment_format.h, book_record): the source file's size
// and mtime (sync skips a file whose size and mtime are unchanged), the
// fingerprint of its extracted text (duplicates are judged against the live
// index; a touched file with the same text is not replaced), and the book's
// metadata, a JSON object stored as the caller gave it. Books follow
// chunks.bin's book order: the numbers (size, mtime, metadata length) as
// packed columns (packed_columns.h), then the fingerprints, then the
// metadata back to back.
//
// Per-book columns in one file, so a later metadata filter can read one
// segment's books and turn them into a doc mask without touching postings.
//
// Thread safety: the writer belongs to one thread; a BookTable is immutable
// after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "segment/packed_columns.h"
#include "segment/segment_file.h"
#include "segment/segment_format.h"

namespace tomes::segment {

struct BookRecord {
  std::uint64_t file_size = 0;  // book_record::kNoFile for a book given as text
  std::int64_t mtime_ns = 0;    // 0 for a book given as text
  std::uint64_t hash[2] = {0, 0};
  std::string_view metadata;    // "" for none
};

class BookTableWriter {
 public:
  void add(const BookRecord& book);
  // Writes dir/books.bin.
  Status write(const std::string& dir, std::vector<FileRecord>* files) const;

 private:
  PackedColumnsWriter numbers_{book_record::kColumns};
  std::string hashes_, metadata_;
};

class BookTable {
 public:
  // body: books.bin without its footer. Corruption naming path unless it
  // holds num_books rows packed as the writer packs them and fingerprints,
  // and the metadata lengths add up to the rest. O(books).
  static Result<BookTable> open(std::string_view body, std::uint64_t num_books, const std::string& path);

  std::uint32_t num_books() const { return num_books_; }
  // REQUIRES: book < num_books().
  BookRecord book(std::uint32_t book) const;

 private:
  std::uint32_t num_books_ = 0;
  PackedColumns numbers_;
  std::string_view hashes_, metadata_;
  std::vector<std::uint64_t> metadata_start_;  // per book
};

}  // namespace tomes::segment
