// term_entries.h: what offsets.bin says of one term ordinal (its value in
// terms.fst): where its postings regions are and how many postings it has.
// The encoding is term_table.h's.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>

namespace tomes::segment {

struct TermEntry {
  std::uint64_t doc_offset = 0;
  std::uint32_t doc_len = 0;
  std::uint64_t freq_offset = 0;
  std::uint32_t freq_len = 0;
  std::uint32_t doc_count = 0;
  // Not stored here: doc_count minus the term's postings in deleted books
  // (deletes.h). TermTable::entry sets it to doc_count; SegmentReader
  // subtracts the segment's deletions.
  std::uint32_t live_count = 0;
};

}  // namespace tomes::segment
