#include "segment/chunk_table.h"

#include <algorithm>
#include <limits>

#include "common/coding.h"

namespace tomes::segment {

namespace {

using packed_columns::kRowsPerBlock;

// u32 anchors per block of spans: the start, and the byte start with text.
unsigned anchors_per_block(bool store_text) { return store_text ? 2 : 1; }

}  // namespace

void ChunkTableWriter::add_book(std::string_view name, std::uint32_t text_blocks) {
  std::size_t shared = 0;
  while (shared < name.size() && shared < previous_name_.size() && name[shared] == previous_name_[shared]) ++shared;
  book_rows_.push_back(shared);
  book_rows_.push_back(name.size() - shared);
  book_rows_.push_back(0);
  if (store_text_) book_rows_.push_back(text_blocks);
  names_.append(name.substr(shared));
  previous_name_.assign(name);
  ++books_;
}

void ChunkTableWriter::add_chunk(std::uint32_t start, std::uint32_t end, std::uint32_t byte_start,
                                 std::uint32_t byte_end) {
  const unsigned book_columns = store_text_ ? book_entry::kColumnsWithText : book_entry::kColumns;
  std::uint64_t& book_chunks = book_rows_[book_rows_.size() - book_columns + book_entry::kChunks];
  const bool first_of_book = book_chunks == 0;
  if (chunks_ % kRowsPerBlock == 0) {
    put_u32(&anchors_, start);
    if (store_text_) put_u32(&anchors_, byte_start);
  }
  // Unsigned wrap: a chunk after a gap (start past the previous end) still
  // round-trips.
  spans_.push_back(first_of_book ? start : static_cast<std::uint32_t>(previous_end_ - start));
  spans_.push_back(static_cast<std::uint32_t>(end - start));
  if (store_text_) {
    spans_.push_back(first_of_book ? byte_start : static_cast<std::uint32_t>(previous_byte_end_ - byte_start));
    spans_.push_back(static_cast<std::uint32_t>(byte_end - byte_start));
  }
  previous_end_ = end;
  previous_byte_end_ = byte_end;
  ++book_chunks;
  ++chunks_;
}

Status ChunkTableWriter::write(const std::string& dir, std::vector<FileRecord>* files) const {
  if (names_.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument(dir + "/" + std::string(kChunksFile) +
                                    ": book paths of more than 4 GiB in one segment (lower batch_size)");
  }
  const unsigned span_columns = store_text_ ? chunk_span::kColumnsWithText : chunk_span::kColumns;
  const unsigned book_columns = store_text_ ? book_entry::kColumnsWithText : book_entry::kColumns;
  std::string header;
  put_u32(&header, chunks_);
  put_u32(&header, books_);
  put_u32(&header, static_cast<std::uint32_t>(names_.size()));
  put_u32(&header, span_columns);
  PackedColumnsWriter spans(span_columns), books(book_columns);
  for (std::size_t at = 0; at < spans_.size(); at += span_columns) spans.add(spans_.data() + at);
  for (std::size_t at = 0; at < book_rows_.size(); at += book_columns) books.add(book_rows_.data() + at);
  std::string span_table, book_table;
  spans.finish(&span_table);
  books.finish(&book_table);
  return write_footed_file(dir, kChunksFile, kChunksMagic, {&header, &span_table, &anchors_, &book_table, &names_},
                           files);
}

Result<ChunkTable> ChunkTable::open(std::string_view body, std::uint64_t num_docs, std::uint64_t num_books,
                                    bool store_text, const std::string& path) {
  if (body.size() < chunks_header::kBytes) return body_size_error(path, chunks_header::kBytes, body.size());
  ChunkTable t;
  t.path_ = path;
  t.store_text_ = store_text;
  t.num_chunks_ = get_u32(body.data() + chunks_header::kNumChunks);
  t.num_books_ = get_u32(body.data() + chunks_header::kNumBooks);
  const std::uint64_t names_bytes = get_u32(body.data() + chunks_header::kNamesBytes);
  t.span_columns_ = get_u32(body.data() + chunks_header::kSpanColumns);
  if (t.num_chunks_ != num_docs || t.num_books_ != num_books) {
    return Status::corruption(path + ": header says " + std::to_string(t.num_chunks_) + " chunks and " +
                              std::to_string(t.num_books_) + " books, meta.json " + std::to_string(num_docs) +
                              " and " + std::to_string(num_books));
  }
  const unsigned want_columns = store_text ? chunk_span::kColumnsWithText : chunk_span::kColumns;
  if (t.span_columns_ != want_columns) {
    return Status::corruption(path + ": chunk spans of " + std::to_string(t.span_columns_) + " columns, expected " +
                              std::to_string(want_columns));
  }
  std::string_view rest = body.substr(chunks_header::kBytes);
  std::uint64_t size = 0;
  Result<PackedColumns> spans = PackedColumns::open(rest, t.num_chunks_, t.span_columns_, path, "chunk spans", &size);
  if (!spans.is_ok()) return spans.status();
  t.spans_ = std::move(spans).value();
  rest = rest.substr(size);
  const std::uint64_t anchors =
      (std::uint64_t{t.num_chunks_} + kRowsPerBlock - 1) / kRowsPerBlock * anchors_per_block(store_text) * 4;
  if (anchors > rest.size()) return body_size_error(path, body.size() - rest.size() + anchors, body.size());
  t.anchors_ = rest.substr(0, anchors);
  rest = rest.substr(anchors);
  const unsigned book_columns = store_text ? book_entry::kColumnsWithText : book_entry::kColumns;
  Result<PackedColumns> books = PackedColumns::open(rest, t.num_books_, book_columns, path, "book entries", &size);
  if (!books.is_ok()) return books.status();
  t.books_ = std::move(books).value();
  rest = rest.substr(size);
  if (rest.size() != names_bytes) return body_size_error(path, body.size() - rest.size() + names_bytes, body.size());
  t.suffixes_ = rest;
  return t;
}

Status ChunkTable::check_entries(std::uint64_t text_blocks) {
  if (Status s = books_.verify(); !s.is_ok()) return s;
  first_chunk_.assign(num_books_, 0);
  first_text_block_.assign(num_books_, 0);
  name_offset_.assign(num_books_ + 1, 0);
  names_.clear();
  std::uint64_t chunk = 0, suffix = 0, block = 0;
  for (std::uint32_t b = 0; b < num_books_; ++b) {
    if (Status s = decode_name(b, &suffix); !s.is_ok()) return s;
    const std::uint64_t chunks = books_.get(b, book_entry::kChunks);
    const std::uint64_t blocks = store_text_ ? books_.get(b, book_entry::kTextBlocks) : 0;
    if (chunks == 0 || chunks > num_chunks_ - chunk || blocks > text_blocks - block) {
      return Status::corruption(path_ + ": book entry " + std::to_string(b) + " is out of bounds");
    }
    first_chunk_[b] = static_cast<std::uint32_t>(chunk);
    first_text_block_[b] = static_cast<std::uint32_t>(block);
    chunk += chunks;
    block += blocks;
  }
  if (chunk != num_chunks_ || suffix != suffixes_.size()) {
    return Status::corruption(path_ + ": the book entries hold " + std::to_string(chunk) + " chunks and " +
                              std::to_string(suffix) + " name bytes, expected " + std::to_string(num_chunks_) +
                              " and " + std::to_string(suffixes_.size()));
  }
  return check_spans();
}

Status ChunkTable::decode_name(std::uint32_t book, std::uint64_t* suffix) {
  const std::uint64_t shared = books_.get(book, book_entry::kSharedPrefix);
  const std::uint64_t length = books_.get(book, book_entry::kSuffixLength);
  const std::uint64_t previous = book == 0 ? 0 : name_offset_[book - 1];
  const std::uint64_t previous_length = names_.size() - previous;
  if (shared > previous_length || length > suffixes_.size() - *suffix) {
    return Status::corruption(path_ + ": book entry " + std::to_string(book) + "'s name is out of bounds");
  }
  const std::size_t start = names_.size();
  names_.append(names_, previous, shared);
  names_.append(suffixes_.substr(*suffix, length));
  *suffix += length;
  // The shared prefix must be the longest one, as the writer stores it.
  if (shared < previous_length && length > 0 && names_[previous + shared] == names_[start + shared]) {
    return Status::corruption(path_ + ": book entry " + std::to_string(book) + " shares less of its name than it could");
  }
  name_offset_[book] = start;
  name_offset_[book + 1] = names_.size();
  return Status::ok();
}

Status ChunkTable::check_spans() {
  if (Status s = spans_.verify(); !s.is_ok()) return s;
  std::uint64_t rows[kRowsPerBlock * chunk_span::kColumnsWithText];
  starts_.resize(num_chunks_);
  byte_starts_.resize(store_text_ ? num_chunks_ : 0);
  std::uint32_t book = 0;
  // Each chunk's start and length, and the previous chunk's while the next
  // start is decoded.
  std::uint64_t start = 0, length = 0, byte_start = 0, byte_length = 0;
  for (std::uint32_t c = 0; c < num_chunks_; ++c) {
    while (book + 1 < num_books_ && first_chunk_[book + 1] <= c) ++book;
    const bool first = c == first_chunk_[book];
    if (c % kRowsPerBlock == 0) spans_.values(c / kRowsPerBlock, rows);
    const std::uint64_t* row = rows + std::size_t{c % kRowsPerBlock} * span_columns_;
    const std::uint64_t overlap = row[chunk_span::kOverlap];
    start = first ? overlap : static_cast<std::uint32_t>(start + length - overlap);
    length = row[chunk_span::kLength];
    bool ok = overlap <= UINT32_MAX && length >= 1 && length <= UINT32_MAX - start;
    if (c % kRowsPerBlock == 0) ok = ok && anchor(c / kRowsPerBlock, 0) == start;
    if (store_text_) {
      const std::uint64_t byte_overlap = row[chunk_span::kByteOverlap];
      byte_start = first ? byte_overlap : static_cast<std::uint32_t>(byte_start + byte_length - byte_overlap);
      byte_length = row[chunk_span::kByteLength];
      const std::uint64_t text_bytes = std::uint64_t{text_blocks(book)} * kTextBlockBytes;
      ok = ok && byte_overlap <= UINT32_MAX && length <= byte_length && byte_length <= UINT32_MAX - byte_start &&
           byte_start + byte_length <= text_bytes;
      if (c % kRowsPerBlock == 0) ok = ok && anchor(c / kRowsPerBlock, 1) == byte_start;
    }
    if (!ok) return Status::corruption(path_ + ": chunk entry " + std::to_string(c) + " is inconsistent");
    starts_[c] = static_cast<std::uint32_t>(start);
    if (store_text_) byte_starts_[c] = static_cast<std::uint32_t>(byte_start);
  }
  return Status::ok();
}

std::uint32_t ChunkTable::anchor(std::uint64_t block, unsigned which) const {
  return get_u32(anchors_.data() + (block * anchors_per_block(store_text_) + which) * 4);
}

ChunkEntry ChunkTable::chunk(std::uint32_t local) const {
  ChunkEntry c;
  const auto book = std::upper_bound(first_chunk_.begin(), first_chunk_.end(), local) - 1;
  c.book = static_cast<std::uint32_t>(book - first_chunk_.begin());
  c.chunk = local - *book;
  c.start = starts_[local];
  c.end = c.start + static_cast<std::uint32_t>(spans_.get(local, chunk_span::kLength));
  if (store_text_) {
    c.byte_start = byte_starts_[local];
    c.byte_end = c.byte_start + static_cast<std::uint32_t>(spans_.get(local, chunk_span::kByteLength));
  }
  return c;
}

std::string_view ChunkTable::book_name(std::uint32_t book) const {
  return std::string_view(names_).substr(name_offset_[book], name_offset_[book + 1] - name_offset_[book]);
}

}  // namespace tomes::segment
