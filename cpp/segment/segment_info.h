// segment_info.h: what index.json records of one segment (manifest.h) and
// the segment's meta.json repeats (segment_meta.h): its name and counts.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

namespace tomes::segment {

struct SegmentInfo {
  std::string name;  // directory name inside the index directory
  std::uint64_t base_doc_id = 0;
  std::uint64_t num_docs = 0;
  std::uint64_t num_books = 0;
  std::uint64_t num_terms = 0;
  std::uint64_t total_length = 0;  // sum of the chunks' lengths
  std::uint64_t bytes = 0;         // all files, the deletions file included

  // Deletions (deletes.h), cumulative: "" and zeros when nothing of the
  // segment is deleted. A segment whose every book is deleted is dropped
  // from index.json instead.
  std::string deletes;                 // the file in the segment's directory
  std::uint64_t deletes_bytes = 0;     // its size
  std::uint32_t deletes_crc32 = 0;     // CRC-32 of the whole file
  std::uint64_t deleted_books = 0;
  std::uint64_t deleted_docs = 0;
  std::uint64_t deleted_length = 0;    // sum of the deleted chunks' lengths

  std::uint64_t live_docs() const { return num_docs - deleted_docs; }
  std::uint64_t live_books() const { return num_books - deleted_books; }
  std::uint64_t live_length() const { return total_length - deleted_length; }
};

}  // namespace tomes::segment
