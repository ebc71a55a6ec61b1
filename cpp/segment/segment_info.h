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
  std::uint64_t bytes = 0;         // all files
};

}  // namespace tomes::segment
