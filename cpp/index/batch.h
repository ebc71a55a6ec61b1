// batch.h: what the parse stage hands to the segment writer, one Batch per
// segment, through the pipeline's bounded queue.
//
// A ParsedBook is everything the writer needs of one book, already analyzed:
// its kept chunks (spans and lengths), a book-local dictionary of its
// distinct terms, and per chunk the (local term, tf) pairs. The writer maps
// local terms to batch terms once per distinct term of a book, not once per
// occurrence.
//
// Thread safety: plain values, moved between threads, never shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chunk/chunker.h"

namespace tomes::index {

struct TextBlock {
  std::uint32_t raw_bytes = 0;
  std::uint32_t deflated_bytes = 0;  // bytes in ParsedBook::deflated
};

struct TermFrequency {
  std::uint32_t term = 0;  // index into the book's dictionary
  std::uint32_t tf = 0;
};

struct ParsedBook {
  // Set by the main thread after parsing, in book order.
  bool skipped = false;
  bool duplicate = false;
  std::string skip_reason;
  std::string relative_path;

  std::uint64_t bytes_read = 0;
  std::uint64_t text_hash[2] = {0, 0};  // of the extracted text (duplicate detection)

  std::vector<chunk::ChunkSpan> chunks;     // kept chunks, numbered 0, 1, ...
  std::vector<std::uint32_t> chunk_lengths;  // terms per chunk (dl)

  // Book-local dictionary: term i is term_bytes[term_ends[i-1] .. term_ends[i]).
  std::string term_bytes;
  std::vector<std::uint32_t> term_ends;
  // Chunk c's pairs are postings[chunk_ends[c-1] .. chunk_ends[c]), terms ascending.
  std::vector<TermFrequency> postings;
  std::vector<std::uint64_t> chunk_ends;

  // store_text: the text in kTextBlockBytes blocks, each deflated.
  std::string deflated;
  std::vector<TextBlock> text_blocks;
};

struct Batch {
  std::uint32_t number = 0;  // 0, 1, ... in corpus order
  std::vector<ParsedBook> books;
};

}  // namespace tomes::index
