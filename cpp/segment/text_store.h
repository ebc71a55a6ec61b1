// text_store.h: text.bin, the stored text of a segment's books (store_text
// only), both sides.
//
// Each book's text is cut into blocks of kTextBlockBytes bytes, each
// deflated on its own (a zlib stream) so that one chunk's text costs at most
// a couple of blocks to inflate. The file holds the blocks of every book in
// book order, then one entry per block (text_block_entry: offset, deflated
// and raw lengths), then the u64 block count, then the footer. A book's
// entry in chunks.bin says which blocks are its own.
//
// Writing happens in three places in time, all through this file:
//   - deflate_text_blocks: a parser deflates a book's text into blocks;
//   - TextStoreAppender: the blocks are appended to text.bin as books are
//     settled, in book order, before the segment is written;
//   - TextTableWriter: the segment writer appends the table, the count and
//     the footer, and fsyncs.
//
// Thread safety: writers belong to one thread at a time; a TextStore is
// immutable after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/status.h"
#include "segment/segment_file.h"

namespace tomes::segment {

struct TextBlock {
  std::uint32_t raw_bytes = 0;
  std::uint32_t deflated_bytes = 0;
};

// Deflates text in blocks of kTextBlockBytes (zlib level 1), appending the
// streams to *deflated and their sizes to *blocks. False if zlib fails
// (out of memory).
bool deflate_text_blocks(std::string_view text, std::string* deflated, std::vector<TextBlock>* blocks);

// text.bin in the making: the deflated blocks of books, appended in book
// order, not fsynced (TextTableWriter finishes the file).
class TextStoreAppender {
 public:
  // Creates (or truncates) the file at path.
  Status open(const std::string& path);
  Status append(std::string_view deflated);
  // Closes the file, without fsync; the first error of any call so far.
  Status close();
  std::uint64_t size() const { return sink_ ? sink_->size() : 0; }
  std::uint32_t crc() const { return sink_ ? sink_->crc() : 0; }

 private:
  std::unique_ptr<FileSink> file_;
  std::unique_ptr<ChecksumSink> sink_;  // through file_
  Status status_;
};

// The table that ends text.bin: one call per kept book, in book order.
class TextTableWriter {
 public:
  void add_book(const std::vector<TextBlock>& blocks);
  std::uint32_t blocks() const { return blocks_; }
  // Finishes dir/text.bin, which must hold the `size` bytes (CRC-32 `crc`)
  // of blocks appended so far (IOError naming it if another process changed
  // it): appends the table, the count and the footer, fsyncs.
  Status write(const std::string& dir, std::uint64_t size, std::uint32_t crc, std::vector<FileRecord>* files);

 private:
  std::string table_;
  std::uint64_t deflated_bytes_ = 0;
  std::uint32_t blocks_ = 0;
};

class TextStore {
 public:
  // Reads the count and table of body (text.bin without its footer) and
  // checks every block lies in the file: Corruption naming path otherwise.
  static Result<TextStore> open(std::string_view body, const std::string& path);

  std::uint64_t num_blocks() const { return num_blocks_; }
  // Block i as stored: its deflated bytes (a zlib stream) and raw length,
  // for copying a block into another text.bin without inflating it
  // (merging segments). REQUIRES: i < num_blocks().
  std::string_view deflated_block(std::uint64_t i, TextBlock* sizes) const;
  // Bytes [byte_start, byte_end) of the text of the book whose blocks start
  // at first_block; `chunk` only names the chunk in errors. Corruption if a
  // block does not inflate to its length or the text is shorter.
  // REQUIRES: byte_start < byte_end; the blocks are the book's own (as
  // chunk_table.h checks).
  Result<std::string> read(std::uint32_t first_block, std::uint32_t byte_start, std::uint32_t byte_end,
                           std::uint32_t chunk) const;

 private:
  std::string path_;
  std::string_view data_, table_;
  std::uint64_t num_blocks_ = 0;
};

}  // namespace tomes::segment
