#include "segment/book_table.h"

#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

void BookTableWriter::add(const BookRecord& book) {
  put_u64(&entries_, book.file_size);
  put_u64(&entries_, static_cast<std::uint64_t>(book.mtime_ns));
  put_u64(&entries_, book.hash[0]);
  put_u64(&entries_, book.hash[1]);
  metadata_.append(book.metadata);
  put_u64(&entries_, metadata_.size());
}

Status BookTableWriter::write(const std::string& dir, std::vector<FileRecord>* files) const {
  FootedFileWriter file(dir, std::string(kBooksFile), kBooksMagic);
  if (Status s = file.status(); !s.is_ok()) return s;
  if (Status s = file.write(entries_); !s.is_ok()) return s;
  if (Status s = file.write(metadata_); !s.is_ok()) return s;
  return file.finish(files);
}

Result<BookTable> BookTable::open(std::string_view body, std::uint64_t num_books, const std::string& path) {
  const std::uint64_t entries = num_books * book_record::kBytes;
  if (body.size() < entries) {
    return Status::corruption(path + ": " + std::to_string(body.size()) + " bytes cannot hold " +
                              std::to_string(num_books) + " book entries");
  }
  BookTable table;
  table.num_books_ = static_cast<std::uint32_t>(num_books);
  table.entries_ = body.substr(0, entries);
  table.metadata_ = body.substr(entries);
  // The ends must rise to the blob's end, so book() needs no checks.
  std::uint64_t previous = 0;
  for (std::uint64_t b = 0; b < num_books; ++b) {
    const std::uint64_t end = get_u64(table.entries_.data() + b * book_record::kBytes + book_record::kMetadataEnd);
    if (end < previous || end > table.metadata_.size()) {
      return Status::corruption(path + ": book " + std::to_string(b) + "'s metadata ends at " + std::to_string(end) +
                                ", expected " + std::to_string(previous) + ".." +
                                std::to_string(table.metadata_.size()));
    }
    previous = end;
  }
  if (previous != table.metadata_.size()) {
    return Status::corruption(path + ": the metadata ends at " + std::to_string(previous) + ", the file at " +
                              std::to_string(table.metadata_.size()));
  }
  return table;
}

BookRecord BookTable::book(std::uint32_t book) const {
  const char* e = entries_.data() + std::size_t{book} * book_record::kBytes;
  BookRecord r;
  r.file_size = get_u64(e + book_record::kFileSize);
  r.mtime_ns = static_cast<std::int64_t>(get_u64(e + book_record::kMtime));
  r.hash[0] = get_u64(e + book_record::kHashLow);
  r.hash[1] = get_u64(e + book_record::kHashHigh);
  const std::uint64_t begin = book == 0 ? 0 : get_u64(e - book_record::kBytes + book_record::kMetadataEnd);
  const std::uint64_t end = get_u64(e + book_record::kMetadataEnd);
  r.metadata = metadata_.substr(begin, end - begin);
  return r;
}

}  // namespace tomes::segment
