// batch.h: what the parse stage hands to the segment writer, one Batch per
// segment, through the pipeline's bounded queue.
//
// A ParsedBook is everything the writer needs of one book, already analyzed:
// its kept chunks (spans and lengths) and per chunk the (term id, tf) pairs,
// term ids from the batch's shared dictionary (batch_dictionary.h).
//
// Thread safety: plain values, moved between threads, never shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chunk/chunker.h"
#include "common/coding.h"
#include "index/batch_dictionary.h"
#include "segment/text_store.h"

namespace tomes::index {

// The in-memory packing of one chunk's (term id, tf) pairs, ids ascending:
// varint(gap << 1 | (tf == 1)), then varint(tf - 2) if tf > 1, where gap =
// id - (previous id + 1), the first from 0. Most pairs take one or two bytes.
// The varints are common/coding.h's.
inline void append_pair(std::string* out, std::uint32_t gap, std::uint32_t tf) {
  put_varint64(out, (std::uint64_t{gap} << 1) | (tf == 1 ? 1u : 0u));
  if (tf != 1) put_varint64(out, tf - 2);
}

// Reads one pair; *next_id is the id after the previous pair's (0 first).
// Unchecked: REQUIRES *p points at a pair append_pair wrote (the pairs are
// ours, in memory, never read from disk).
inline void read_pair(const unsigned char** p, std::uint32_t* next_id, std::uint32_t* id, std::uint32_t* tf) {
  const std::uint64_t v = get_varint64_unchecked(p);
  *id = *next_id + static_cast<std::uint32_t>(v >> 1);
  *tf = (v & 1) ? 1 : static_cast<std::uint32_t>(get_varint64_unchecked(p)) + 2;
  *next_id = *id + 1;
}

// A book's text fingerprint (hash128 of its extracted text) as a hash-table
// key: duplicate detection within a run (book_settler.h) and against a live
// index (live_books.h).
struct TextFingerprint {
  std::uint64_t a, b;
  bool operator==(const TextFingerprint& o) const { return a == o.a && b == o.b; }
};
struct TextFingerprintHash {
  std::size_t operator()(const TextFingerprint& k) const { return static_cast<std::size_t>(k.a ^ (k.b * 31)); }
};

struct ParsedBook {
  // Set by the main thread after parsing, in book order.
  bool skipped = false;
  bool duplicate = false;
  std::size_t duplicate_of = 0;  // duplicate: the corpus index of the first book with this text
  std::string duplicate_of_id;   // duplicate judged by a SettleHook: the live book's id
  bool unchanged = false;        // (duplicate is set too) the live index holds this very book
  std::string skip_reason;
  std::string relative_path;

  std::uint64_t bytes_read = 0;
  bool invalid_utf8 = false;  // its bytes were not valid UTF-8 (text_decode.h)
  std::uint64_t text_hash[2] = {0, 0};  // of the extracted text (duplicate detection)
  // The source, as books.bin records it (book_table.h).
  std::uint64_t file_size = 0;  // segment::book_record::kNoFile for a text
  std::int64_t mtime_ns = 0;
  std::string metadata;

  std::vector<chunk::ChunkSpan> chunks;     // kept chunks, numbered 0, 1, ...
  std::vector<std::uint32_t> chunk_lengths;  // terms per chunk (dl)

  // Per chunk, its distinct terms as (batch term id, tf) pairs, packed by
  // append_pair: chunk c's are pairs[chunk_ends[c-1] .. chunk_ends[c])
  // (bytes). About 1.3 bytes a pair, where (u32, u32) would take 8: the
  // batch is held three times over (parsing, queued, writing), so this is
  // most of the pipeline's memory.
  std::string pairs;
  std::vector<std::uint64_t> chunk_ends;

  // store_text: the text in blocks, each deflated (segment/text_store.h). The
  // bytes go to the segment's text file as soon as the book is settled
  // (book_settler.h); the block sizes stay for the writer.
  std::string deflated;
  std::vector<segment::TextBlock> text_blocks;
};

struct Batch {
  std::string segment_name;  // of the segment it becomes
  std::vector<ParsedBook> books;
  // store_text: the kept books' deflated text, in book order, is already in
  // the segment's temporary directory as text.bin (not fsynced): its size
  // and CRC so far.
  std::uint64_t text_bytes = 0;
  std::uint32_t text_crc = 0;
  std::unique_ptr<BatchDictionary> dictionary = std::make_unique<BatchDictionary>();
};

}  // namespace tomes::index
