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
//   chunks.bin          header, chunk entries, book entries, book names
//                       (chunk_table.h)
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

// chunks.bin (chunk_table.h).
namespace chunks_header {
inline constexpr std::size_t kNumChunks = 0;    // u32
inline constexpr std::size_t kNumBooks = 4;     // u32
inline constexpr std::size_t kNamesBytes = 8;   // u32
inline constexpr std::size_t kEntryBytes = 12;  // u32: chunk_entry::kBytes or kBytesWithText
inline constexpr std::size_t kBytes = 16;
}  // namespace chunks_header

namespace chunk_entry {
inline constexpr std::size_t kStart = 0;       // u32: code points into the book's text
inline constexpr std::size_t kEnd = 4;         // u32
inline constexpr std::size_t kByteStart = 8;   // u32, store_text only: the same span in UTF-8 bytes
inline constexpr std::size_t kByteEnd = 12;    // u32, store_text only
inline constexpr std::size_t kBytes = 8;
inline constexpr std::size_t kBytesWithText = 16;
}  // namespace chunk_entry

namespace book_entry {
inline constexpr std::size_t kNameOffset = 0;      // u64: into the names
inline constexpr std::size_t kNameLength = 8;      // u32
inline constexpr std::size_t kFirstChunk = 12;     // u32: a chunk's book is the last one starting <= it
inline constexpr std::size_t kFirstTextBlock = 16; // u32 (0 without store_text)
inline constexpr std::size_t kTextBlocks = 20;     // u32 (0 without store_text)
inline constexpr std::size_t kBytes = 24;
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

// books.bin (book_table.h): one entry per book (in chunks.bin's book
// order), then the books' metadata (JSON objects as UTF-8) back to back.
namespace book_record {
inline constexpr std::size_t kFileSize = 0;     // u64: the source file's size; kNoFile for a text
inline constexpr std::size_t kMtime = 8;        // i64: its mtime in ns since the epoch (0 for a text)
inline constexpr std::size_t kHashLow = 16;     // u64: fingerprint of the extracted text (hash128.h)
inline constexpr std::size_t kHashHigh = 24;    // u64
inline constexpr std::size_t kMetadataEnd = 32; // u64: end of its metadata in the blob (start: the previous end)
inline constexpr std::size_t kBytes = 40;
inline constexpr std::uint64_t kNoFile = UINT64_MAX;
}  // namespace book_record
inline constexpr std::uint32_t kTextBlockBytes = 64 * 1024;

}  // namespace tomes::segment
