// term_table.h: offsets.bin, the table from a term's ordinal (its value in
// terms.fst) to where its postings are and how many there are
// (docs/FORMAT.md section 4, segment_format.h term_table). The one encoder
// (TermTableWriter, used by the batch writer and the merger) and the one
// decoder (TermTable, used by SegmentReader).
//
// Layout: terms in blocks of kTermsPerBlock by ordinal; per block a 24-byte
// header (where the block's first term's regions start, where its packed
// entries start, three bit widths), plus one end header; then the packed
// entries, each the term's region starts relative to its block's and its
// doc_count - 1, at the block's widths. A term's regions end where the next
// term's start (the next header's for a block's last term), so lengths are
// not stored. Random access is O(1): a header and one packed record.
//
// Thread safety: the writer belongs to one thread; a TermTable is immutable
// after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "segment/term_entries.h"

namespace tomes::segment {

class TermTableWriter {
 public:
  // Appends the entry of the next ordinal.
  // REQUIRES: e.doc_offset and e.freq_offset are where the previous entry's
  // regions end (0 for the first entry); e.doc_len, e.freq_len and
  // e.doc_count are >= 1.
  void add(const TermEntry& e);

  std::uint64_t num_terms() const { return num_terms_; }

  // The body of offsets.bin for the entries added so far. InvalidArgument
  // if the packed entries would reach 4 GiB (the u32 packed_start).
  Result<std::string> finish() const;

 private:
  void flush_block(std::string* headers, std::string* packed) const;

  std::vector<TermEntry> block_;  // the entries of the open block (< kTermsPerBlock)
  std::string headers_, packed_;  // of the closed blocks
  std::uint64_t num_terms_ = 0, docs_end_ = 0, freqs_end_ = 0;
};

class TermTable {
 public:
  TermTable() = default;

  // body: offsets.bin without its footer; docs_bytes and freqs_bytes: the
  // bodies' sizes of postings_docs.bin and postings_freqs.bin. Corruption
  // naming path unless the headers are consistent (sizes, starts rising,
  // widths in range, packed blocks adding up to the packed area, the end
  // header ending at the postings bodies' ends). O(blocks).
  static Result<TermTable> open(std::string_view body, std::uint64_t num_terms, std::uint64_t num_docs,
                                std::uint64_t docs_bytes, std::uint64_t freqs_bytes, const std::string& path);

  std::uint64_t num_terms() const { return num_terms_; }

  // The entry of ordinal: Corruption naming path if ordinal >= num_terms or
  // any decoded value is out of range (a region empty, outside the block's
  // span or longer than 2^32 - 1 bytes; doc_count 0 or > num_docs). O(1).
  Status entry(std::uint64_t ordinal, TermEntry* out) const;

  // Every block in full: widths exactly the bit widths of their largest
  // values, unused bits 0, every entry valid. O(num_terms).
  Status verify() const;

 private:
  struct Header {
    std::uint64_t doc_start = 0, freq_start = 0;
    std::uint32_t packed_start = 0;
    unsigned doc_width = 0, freq_width = 0, count_width = 0;
  };
  Header header(std::uint64_t block) const;
  Status check_headers() const;
  Status verify_block(std::uint64_t block) const;
  Status corruption(const std::string& what) const;

  std::string_view headers_, packed_;
  std::uint64_t num_terms_ = 0, num_docs_ = 0;
  std::string path_;
};

}  // namespace tomes::segment
