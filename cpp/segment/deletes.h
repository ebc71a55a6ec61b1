// deletes.h: deletes_<G>.bin, the books of one segment deleted as of the
// commit of generation G, and how many postings of each term they held.
// Written with each commit that deletes something from the segment
// (cumulative: it lists every deleted book, not only the new ones), named by
// index.json (segment_info.h: deletes, deletes_bytes, deletes_crc32); the
// segment's other files never change. docs/FORMAT.md section 4.
//
// FORMAT (little-endian; the body, then the 16-byte footer of
// common/file_footer.h with magic "tmsDELS\0" and kSegmentFormatVersion):
//
//   offset  size                    field
//   0       4                       u32 num_deleted_books: 1 .. num_books - 1
//   4       4                       u32 num_terms: terms with a deleted posting
//   8       4 x num_deleted_books   u32 local book numbers, strictly ascending, < num_books
//   ...     8 x num_terms           (u32 ordinal, u32 deleted_postings), ordinals
//                                   strictly ascending, < the segment's num_terms,
//                                   deleted_postings >= 1
//
// A term's live document frequency in the segment is its doc_count
// (offsets.bin) minus its deleted_postings here (0 if absent); the reader
// (segment_reader.h) checks deleted_postings <= doc_count, and verify()
// counts them again from the postings.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "segment/segment_file.h"

namespace tomes::segment {

struct DeletionRecord {
  std::vector<std::uint32_t> books;  // deleted local books, ascending
  std::vector<std::pair<std::uint32_t, std::uint32_t>> deleted_postings;  // (ordinal, count), ordinal ascending
};

// "deletes_000007.bin" for generation 7 (at least 6 digits).
std::string deletes_file_name(std::uint64_t generation);

// The body of a deletes file (no footer). REQUIRES: r is valid as
// read_deletes() checks it (the writer of apply_deletions builds it so).
std::string encode_deletes(const DeletionRecord& r);

// Writes segment_dir/name: the body and footer go to ".tmp-" + name in
// segment_dir, which is fsynced, renamed to name, and the directory
// fsynced. *out gets the name, the whole file's size and its CRC-32 (what
// index.json records). An existing file of that name is replaced.
Status write_deletes_file(const std::string& segment_dir, const std::string& name, const DeletionRecord& r,
                          FileRecord* out);

// Decodes and validates a body (the file without its footer) against the
// segment's counts: Corruption naming path, saying what was expected and
// what was found, unless every rule of the FORMAT above holds and the body
// has exactly the bytes its counts say.
Result<DeletionRecord> read_deletes(std::string_view body, std::uint64_t num_books, std::uint64_t num_terms,
                                    const std::string& path);

}  // namespace tomes::segment
