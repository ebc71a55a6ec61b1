// segment_format.h: the files of one segment directory and their fixed
// layouts (docs/FORMAT.md gives every byte, with a worked example). All
// integers are little-endian; every binary file but terms.fst ends in the
// 16-byte footer of common/file_footer.h (magic, version, CRC-32).
//
//   terms.fst           term bytes -> term ordinal (fst_format.h)
//   offsets.bin         per ordinal, 28 bytes: u64 doc_offset, u32 doc_len,
//                       u64 freq_offset, u32 freq_len, u32 doc_count
//   postings_docs.bin   per term, its doc-id region (postings_format.h)
//   postings_freqs.bin  per term, its frequency region
//   doc_lengths.bin     u32 per chunk: its number of terms (BM25 dl)
//   chunks.bin          header (u32 num_chunks, u32 num_books, u32 names_bytes,
//                         u32 chunk_entry_bytes: 8, or 16 with store_text),
//                       per chunk: u32 start, u32 end (code points of the book's
//                         text), and with store_text u32 byte_start, u32 byte_end
//                         (the same span in UTF-8 bytes); a chunk's book is the
//                         last book whose first_chunk <= it
//                       per book 24 bytes: u64 name_offset, u32 name_len,
//                         u32 first_chunk, u32 first_text_block, u32 text_blocks
//                       the names (book ids, raw bytes), back to back
//   text.bin            (store_text only) each book's text in blocks of
//                       kTextBlockBytes bytes, each deflated (zlib stream); then
//                       per block 16 bytes: u64 offset, u32 deflated_len, u32 raw_len;
//                       then u64 block_count
//   meta.json           num_docs, base_doc_id, num_books, num_terms,
//                       total_length, store_text, and each file's size and CRC-32
//
// Doc ids inside a segment are local (0 .. num_docs-1); global id =
// base_doc_id + local.
#pragma once

#include <cstdint>
#include <string_view>

namespace tomes::index {

inline constexpr std::uint32_t kSegmentFormatVersion = 1;

inline constexpr std::string_view kTermsFile = "terms.fst";
inline constexpr std::string_view kOffsetsFile = "offsets.bin";
inline constexpr std::string_view kDocsFile = "postings_docs.bin";
inline constexpr std::string_view kFreqsFile = "postings_freqs.bin";
inline constexpr std::string_view kDocLengthsFile = "doc_lengths.bin";
inline constexpr std::string_view kChunksFile = "chunks.bin";
inline constexpr std::string_view kTextFile = "text.bin";
inline constexpr std::string_view kMetaFile = "meta.json";

inline constexpr std::string_view kOffsetsMagic = "tmsOFFS";
inline constexpr std::string_view kDocsMagic = "tmsDOCS";
inline constexpr std::string_view kFreqsMagic = "tmsFREQ";
inline constexpr std::string_view kDocLengthsMagic = "tmsDLEN";
inline constexpr std::string_view kChunksMagic = "tmsCHNK";
inline constexpr std::string_view kTextMagic = "tmsTEXT";

inline constexpr std::size_t kOffsetEntryBytes = 28;
inline constexpr std::size_t kChunksHeaderBytes = 16;
inline constexpr std::size_t kChunkEntryBytes = 8;
inline constexpr std::size_t kChunkEntryWithBytes = 16;
inline constexpr std::size_t kBookEntryBytes = 24;
inline constexpr std::size_t kTextBlockEntryBytes = 16;
inline constexpr std::uint32_t kTextBlockBytes = 64 * 1024;

// index.json
inline constexpr std::string_view kManifestFile = "index.json";
inline constexpr std::string_view kLockFile = ".tomes.lock";
inline constexpr std::uint32_t kIndexFormatVersion = 1;

}  // namespace tomes::index
