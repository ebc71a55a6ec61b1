// term_entries.h: offsets.bin, the table from a term's ordinal (its value in
// terms.fst) to where its postings are: one fixed-size entry per ordinal
// (segment_format.h, term_entry). The writer appends entries in ordinal
// order; the reader decodes entry o in place.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

struct TermEntry {
  std::uint64_t doc_offset = 0;
  std::uint32_t doc_len = 0;
  std::uint64_t freq_offset = 0;
  std::uint32_t freq_len = 0;
  std::uint32_t doc_count = 0;
  // Not stored here: doc_count minus the term's postings in deleted books
  // (deletes.h). read_term_entry sets it to doc_count; SegmentReader
  // subtracts the segment's deletions.
  std::uint32_t live_count = 0;
};

inline void append_term_entry(std::string* out, const TermEntry& e) {
  put_u64(out, e.doc_offset);
  put_u32(out, e.doc_len);
  put_u64(out, e.freq_offset);
  put_u32(out, e.freq_len);
  put_u32(out, e.doc_count);
}

// REQUIRES: entry[0 .. term_entry::kBytes) readable.
inline TermEntry read_term_entry(const char* entry) {
  TermEntry e;
  e.doc_offset = get_u64(entry + term_entry::kDocOffset);
  e.doc_len = get_u32(entry + term_entry::kDocLength);
  e.freq_offset = get_u64(entry + term_entry::kFreqOffset);
  e.freq_len = get_u32(entry + term_entry::kFreqLength);
  e.doc_count = get_u32(entry + term_entry::kDocCount);
  e.live_count = e.doc_count;
  return e;
}

}  // namespace tomes::segment
