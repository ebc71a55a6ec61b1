#include "segment/book_table.h"

#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

void BookTableWriter::add(const BookRecord& book) {
  const std::uint64_t row[book_record::kColumns] = {book.file_size, static_cast<std::uint64_t>(book.mtime_ns),
                                                    book.metadata.size()};
  numbers_.add(row);
  put_u64(&hashes_, book.hash[0]);
  put_u64(&hashes_, book.hash[1]);
  metadata_.append(book.metadata);
}

Status BookTableWriter::write(const std::string& dir, std::vector<FileRecord>* files) const {
  std::string numbers;
  numbers_.finish(&numbers);
  return write_footed_file(dir, kBooksFile, kBooksMagic, {&numbers, &hashes_, &metadata_}, files);
}

Result<BookTable> BookTable::open(std::string_view body, std::uint64_t num_books, const std::string& path) {
  std::uint64_t size = 0;
  Result<PackedColumns> numbers = PackedColumns::open(body, num_books, book_record::kColumns, path, "book numbers", &size);
  if (!numbers.is_ok()) return numbers.status();
  BookTable table;
  table.num_books_ = static_cast<std::uint32_t>(num_books);
  table.numbers_ = std::move(numbers).value();
  if (Status s = table.numbers_.verify(); !s.is_ok()) return s;
  body = body.substr(size);
  if (body.size() / book_record::kHashBytes < num_books) {
    return Status::corruption(path + ": " + std::to_string(body.size()) + " bytes cannot hold the fingerprints of " +
                              std::to_string(num_books) + " books");
  }
  table.hashes_ = body.substr(0, num_books * book_record::kHashBytes);
  table.metadata_ = body.substr(table.hashes_.size());
  // The metadata lengths must add up to the blob, so book() needs no checks.
  table.metadata_start_.assign(num_books, 0);
  std::uint64_t end = 0;
  for (std::uint64_t b = 0; b < num_books; ++b) {
    const std::uint64_t length = table.numbers_.get(b, book_record::kMetadataLength);
    if (length > table.metadata_.size() - end) {
      return Status::corruption(path + ": book " + std::to_string(b) + "'s metadata of " + std::to_string(length) +
                                " bytes passes the file's end");
    }
    table.metadata_start_[b] = end;
    end += length;
  }
  if (end != table.metadata_.size()) {
    return Status::corruption(path + ": the metadata ends at " + std::to_string(end) + ", the file at " +
                              std::to_string(table.metadata_.size()));
  }
  return table;
}

BookRecord BookTable::book(std::uint32_t book) const {
  BookRecord r;
  r.file_size = numbers_.get(book, book_record::kFileSize);
  r.mtime_ns = static_cast<std::int64_t>(numbers_.get(book, book_record::kMtime));
  const char* h = hashes_.data() + std::size_t{book} * book_record::kHashBytes;
  r.hash[0] = get_u64(h);
  r.hash[1] = get_u64(h + 8);
  r.metadata = metadata_.substr(metadata_start_[book], numbers_.get(book, book_record::kMetadataLength));
  return r;
}

}  // namespace tomes::segment
