// segment_format.h: the names, magic numbers and fixed layouts of the files
// of one segment directory (docs/FORMAT.md sections 3-4 give every byte,
// with a worked example). All integers are little-endian; every binary file
// but terms.fst ends in the 16-byte footer of common/file_footer.h (magic,
// version, CRC-32).
//
//   terms.fst           term bytes -> term ordinal (fst_format.h)
//   offsets.bin         per ordinal, where its postings are, bit-packed in
//                       blocks of 32 terms (term_table.h)
//   postings_docs.bin   per term, its doc-id region (postings_format.h)
//   postings_freqs.bin  per term, its frequency region
//   doc_lengths.bin     per chunk its number of terms, bit-packed in blocks
//                       of 128 (doc_lengths.h)
//   chunks.bin          header, chunk spans and book entries bit-packed in
//                       blocks of 128, book names (chunk_table.h)
//   text.bin            (store_text only) deflated text blocks, their table,
//                       the block count (text_store.h)
//   meta.json           counts, store_text, each file's size and CRC-32
//                       (segment_meta.h)
//
// Each layout below is written by exactly one writer and read by exactly
// one reader, the pair named beside it; nothing else knows the offsets.
//
// Doc ids inside a segment are local (0 .. num_docs-1); global id =
// base_doc_id + local.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tomes::segment {

// 2: postings skip entries carry 4 impact pairs (postings_format.h).
// 3: books.bin (per book: source size, mtime, text fingerprint, metadata),
//    deletes_<G>.bin (a segment's deleted books and per-term deleted
//    postings), meta.json without base_doc_id (index.json alone places a
//    segment, so merges may renumber the segments after them).
// A segment of an older version is refused (segment_meta.cc): rebuild the
// index.
inline constexpr std::uint32_t kSegmentFormatVersion = 3;

inline constexpr std::string_view kTermsFile = "terms.fst";
inline constexpr std::string_view kOffsetsFile = "offsets.bin";
inline constexpr std::string_view kDocsFile = "postings_docs.bin";
inline constexpr std::string_view kFreqsFile = "postings_freqs.bin";
inline constexpr std::string_view kDocLengthsFile = "doc_lengths.bin";
inline constexpr std::string_view kChunksFile = "chunks.bin";
inline constexpr std::string_view kTextFile = "text.bin";
inline constexpr std::string_view kMetaFile = "meta.json";
inline constexpr std::string_view kBooksFile = "books.bin";
// The deletions of a segment as of one commit: "deletes_<generation>.bin"
// (generation zero-padded to 6 digits, deletes.h). index.json names the one
// that counts; the others are leftovers.
inline constexpr std::string_view kDeletesPrefix = "deletes_";

inline constexpr std::string_view kOffsetsMagic = "tmsOFFS";
inline constexpr std::string_view kDocsMagic = "tmsDOCS";
inline constexpr std::string_view kFreqsMagic = "tmsFREQ";
inline constexpr std::string_view kDocLengthsMagic = "tmsDLEN";
inline constexpr std::string_view kChunksMagic = "tmsCHNK";
inline constexpr std::string_view kTextMagic = "tmsTEXT";
inline constexpr std::string_view kBooksMagic = "tmsBOOK";
inline constexpr std::string_view kDeletesMagic = "tmsDELS";

// The footed files, in the order meta.json lists them, with their magics.
struct FootedFile {
  std::string_view name;
  std::string_view magic;
};
inline constexpr FootedFile kFootedFiles[] = {
    {kOffsetsFile, kOffsetsMagic},       {kDocsFile, kDocsMagic},     {kFreqsFile, kFreqsMagic},
    {kDocLengthsFile, kDocLengthsMagic}, {kChunksFile, kChunksMagic}, {kTextFile, kTextMagic},
    {kBooksFile, kBooksMagic},
};

// offsets.bin (term_table.h): (num_blocks + 1) block headers, num_blocks =
// ceil(num_terms / kTermsPerBlock), the last one the end header; then the
// packed entries.
namespace term_table {
inline constexpr std::uint64_t kTermsPerBlock = 32;
inline constexpr std::size_t kDocStart = 0;      // u64: docs region start of the block's first term
inline constexpr std::size_t kFreqStart = 8;     // u64: its freqs region start
inline constexpr std::size_t kPackedStart = 16;  // u32: the block's packed entries, from the packed area's start
inline constexpr std::size_t kDocWidth = 20;     // u8: bits of a term's docs start - kDocStart
inline constexpr std::size_t kFreqWidth = 21;    // u8: bits of its freqs start - kFreqStart
inline constexpr std::size_t kCountWidth = 22;   // u8: bits of its doc_count - 1
inline constexpr std::size_t kZero = 23;         // u8: 0
inline constexpr std::size_t kHeaderBytes = 24;
// Widest stored relative start (a term's regions are shorter than 2^32 bytes,
// so 37 bits would do) and doc_count - 1: a value is read with one 8-byte load.
inline constexpr unsigned kMaxStartWidth = 56;
inline constexpr unsigned kMaxCountWidth = 32;
}  // namespace term_table

// The bit-packed tables of chunks.bin and books.bin (packed_columns.h).
namespace packed_columns {
inline constexpr std::uint64_t kRowsPerBlock = 128;
inline constexpr std::size_t kPackedStart = 0;  // u32: the block's records, bytes from the packed area's start
inline constexpr std::size_t kColumns = 4;      // per column: u64 base, u8 width
inline constexpr std::size_t kColumnBytes = 9;
inline constexpr unsigned kMaxColumns = 4;
inline constexpr std::size_t header_bytes(unsigned columns) { return kColumns + kColumnBytes * columns; }
}  // namespace packed_columns

// chunks.bin (chunk_table.h).
namespace chunks_header {
inline constexpr std::size_t kNumChunks = 0;    // u32
inline constexpr std::size_t kNumBooks = 4;     // u32
inline constexpr std::size_t kNamesBytes = 8;   // u32: of the names' suffixes
inline constexpr std::size_t kSpanColumns = 12; // u32: chunk_span::kColumns or kColumnsWithText
inline constexpr std::size_t kBytes = 16;
}  // namespace chunks_header

// After the header: the chunk spans (packed columns, one row per chunk),
// per block of spans its anchors (u32 start, and u32 byte start with
// store_text: the block's first chunk's), the book entries (packed
// columns, one row per book), the names' suffixes back to back.
namespace chunk_span {
inline constexpr unsigned kOverlap = 0;      // the end of the book's previous chunk - start (mod 2^32); the book's first chunk: its start
inline constexpr unsigned kLength = 1;       // end - start, >= 1 (code points)
inline constexpr unsigned kByteOverlap = 2;  // store_text only: the same in UTF-8 bytes
inline constexpr unsigned kByteLength = 3;   // store_text only
inline constexpr unsigned kColumns = 2;
inline constexpr unsigned kColumnsWithText = 4;
}  // namespace chunk_span

namespace book_entry {
inline constexpr unsigned kSharedPrefix = 0;  // bytes its name shares with the previous book's (the longest common prefix)
inline constexpr unsigned kSuffixLength = 1;  // bytes of the rest of its name, the next suffix in the names
inline constexpr unsigned kChunks = 2;        // >= 1: its chunks follow the previous book's
inline constexpr unsigned kTextBlocks = 3;    // store_text only: its blocks follow the previous book's
inline constexpr unsigned kColumns = 3;
inline constexpr unsigned kColumnsWithText = 4;
}  // namespace book_entry

// text.bin (text_store.h): the deflated blocks, then per block one entry,
// then u64 block_count.
namespace text_block_entry {
inline constexpr std::size_t kOffset = 0;         // u64: into the file
inline constexpr std::size_t kDeflatedLength = 8; // u32
inline constexpr std::size_t kRawLength = 12;     // u32: <= kTextBlockBytes
inline constexpr std::size_t kBytes = 16;
}  // namespace text_block_entry
inline constexpr std::size_t kTextCountBytes = 8;

// books.bin (book_table.h): the per-book numbers (packed columns, one row
// per book, in chunks.bin's book order), per book its 16-byte text
// fingerprint (u64 low, u64 high), then the books' metadata (JSON objects
// as UTF-8) back to back.
namespace book_record {
inline constexpr unsigned kFileSize = 0;        // the source file's size; kNoFile for a text
inline constexpr unsigned kMtime = 1;           // i64 as u64: its mtime in ns since the epoch (0 for a text)
inline constexpr unsigned kMetadataLength = 2;  // bytes of its metadata (start: the previous book's end)
inline constexpr unsigned kColumns = 3;
inline constexpr std::size_t kHashBytes = 16;   // u64 low, u64 high: fingerprint of the extracted text (hash128.h)
inline constexpr std::uint64_t kNoFile = UINT64_MAX;
}  // namespace book_record
inline constexpr std::uint32_t kTextBlockBytes = 64 * 1024;

}  // namespace tomes::segment
