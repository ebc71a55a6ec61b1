#include "segment/chunk_table.h"

#include <algorithm>
#include <limits>

#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

void ChunkTableWriter::add_book(std::string_view name, std::uint32_t text_blocks) {
  put_u64(&book_entries_, names_.size());
  put_u32(&book_entries_, static_cast<std::uint32_t>(name.size()));
  put_u32(&book_entries_, chunks_);
  put_u32(&book_entries_, store_text_ ? text_blocks_ : 0);
  put_u32(&book_entries_, store_text_ ? text_blocks : 0);
  names_.append(name);
  text_blocks_ += text_blocks;
  ++books_;
}

void ChunkTableWriter::add_chunk(std::uint32_t start, std::uint32_t end, std::uint32_t byte_start,
                                 std::uint32_t byte_end) {
  put_u32(&chunk_entries_, start);
  put_u32(&chunk_entries_, end);
  if (store_text_) {
    put_u32(&chunk_entries_, byte_start);
    put_u32(&chunk_entries_, byte_end);
  }
  ++chunks_;
}

Status ChunkTableWriter::write(const std::string& dir, std::vector<FileRecord>* files) const {
  if (names_.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument(dir + "/" + std::string(kChunksFile) +
                                    ": book paths of more than 4 GiB in one segment (lower batch_size)");
  }
  std::string header;
  put_u32(&header, chunks_);
  put_u32(&header, books_);
  put_u32(&header, static_cast<std::uint32_t>(names_.size()));
  put_u32(&header, static_cast<std::uint32_t>(store_text_ ? chunk_entry::kBytesWithText : chunk_entry::kBytes));
  return write_footed_file(dir, kChunksFile, kChunksMagic, {&header, &chunk_entries_, &book_entries_, &names_},
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
  t.entry_bytes_ = get_u32(body.data() + chunks_header::kEntryBytes);
  if (t.num_chunks_ != num_docs || t.num_books_ != num_books) {
    return Status::corruption(path + ": header says " + std::to_string(t.num_chunks_) + " chunks and " +
                              std::to_string(t.num_books_) + " books, meta.json " + std::to_string(num_docs) +
                              " and " + std::to_string(num_books));
  }
  const std::size_t want_entry = store_text ? chunk_entry::kBytesWithText : chunk_entry::kBytes;
  if (t.entry_bytes_ != want_entry) {
    return Status::corruption(path + ": chunk entries of " + std::to_string(t.entry_bytes_) + " bytes, expected " +
                              std::to_string(want_entry));
  }
  const std::uint64_t want = chunks_header::kBytes + std::uint64_t{t.num_chunks_} * t.entry_bytes_ +
                             std::uint64_t{t.num_books_} * book_entry::kBytes;
  if (names_bytes > body.size() || body.size() - names_bytes != want) {
    return body_size_error(path, want + names_bytes, body.size());
  }
  t.chunks_ = body.substr(chunks_header::kBytes, std::size_t{t.num_chunks_} * t.entry_bytes_);
  t.books_ = body.substr(chunks_header::kBytes + t.chunks_.size(), std::size_t{t.num_books_} * book_entry::kBytes);
  t.names_ = body.substr(want);
  return t;
}

Status ChunkTable::check_entries(std::uint64_t text_blocks) {
  first_chunk_.resize(num_books_);
  for (std::uint32_t b = 0; b < num_books_; ++b) {
    const char* e = books_.data() + std::size_t{b} * book_entry::kBytes;
    const std::uint64_t name_offset = get_u64(e + book_entry::kNameOffset);
    const std::uint32_t name_len = get_u32(e + book_entry::kNameLength);
    const std::uint32_t first = get_u32(e + book_entry::kFirstChunk);
    const std::uint32_t first_block = get_u32(e + book_entry::kFirstTextBlock);
    const std::uint32_t blocks = get_u32(e + book_entry::kTextBlocks);
    const bool ordered = b == 0 ? first == 0 : first > first_chunk_[b - 1];
    if (name_offset > names_.size() || name_len > names_.size() - name_offset || !ordered || first >= num_chunks_ ||
        (store_text_ && (first_block > text_blocks || blocks > text_blocks - first_block))) {
      return Status::corruption(path_ + ": book entry " + std::to_string(b) + " is out of bounds");
    }
    first_chunk_[b] = first;
  }
  if (num_chunks_ > 0 && num_books_ == 0) return Status::corruption(path_ + ": chunks without books");
  for (std::uint32_t c = 0; c < num_chunks_; ++c) {
    const ChunkEntry chunk = this->chunk(c);
    bool ok = chunk.start < chunk.end;
    if (store_text_) {
      const std::uint64_t text_bytes = std::uint64_t{this->text_blocks(chunk.book)} * kTextBlockBytes;
      ok = ok && chunk.byte_start < chunk.byte_end && chunk.end - chunk.start <= chunk.byte_end - chunk.byte_start &&
           chunk.byte_end <= text_bytes;
    }
    if (!ok) return Status::corruption(path_ + ": chunk entry " + std::to_string(c) + " is inconsistent");
  }
  return Status::ok();
}

ChunkEntry ChunkTable::chunk(std::uint32_t local) const {
  const char* e = chunks_.data() + std::size_t{local} * entry_bytes_;
  ChunkEntry c;
  const auto book = std::upper_bound(first_chunk_.begin(), first_chunk_.end(), local) - 1;
  c.book = static_cast<std::uint32_t>(book - first_chunk_.begin());
  c.chunk = local - *book;
  c.start = get_u32(e + chunk_entry::kStart);
  c.end = get_u32(e + chunk_entry::kEnd);
  if (entry_bytes_ == chunk_entry::kBytesWithText) {
    c.byte_start = get_u32(e + chunk_entry::kByteStart);
    c.byte_end = get_u32(e + chunk_entry::kByteEnd);
  }
  return c;
}

std::string_view ChunkTable::book_name(std::uint32_t book) const {
  const char* e = books_.data() + std::size_t{book} * book_entry::kBytes;
  return names_.substr(get_u64(e + book_entry::kNameOffset), get_u32(e + book_entry::kNameLength));
}

std::uint32_t ChunkTable::first_text_block(std::uint32_t book) const {
  return get_u32(books_.data() + std::size_t{book} * book_entry::kBytes + book_entry::kFirstTextBlock);
}

std::uint32_t ChunkTable::text_blocks(std::uint32_t book) const {
  return get_u32(books_.data() + std::size_t{book} * book_entry::kBytes + book_entry::kTextBlocks);
}

}  // namespace tomes::segment
