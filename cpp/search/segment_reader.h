// segment_reader.h: one segment directory (index/segment_format.h), memory-
// mapped and checked before use.
//
// open() checks meta.json (its checksum, and its counts against the
// manifest), every file's footer (magic, version), every size that follows
// from those counts, the CRC-32 of the small files (terms.fst via its own
// footer, offsets, doc lengths, chunks), and every chunk and book entry, so
// no later lookup follows an unchecked offset. The big files
// (postings, stored text) are checked block by block as they are decoded,
// and in full by verify().
//
// Thread safety: immutable after open(); any number of threads may read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mapped_file.h"
#include "common/status.h"
#include "fst/fst_reader.h"
#include "index/segment_writer.h"

namespace tomes::search {

struct ChunkEntry {
  std::uint32_t book = 0;   // segment-local book
  std::uint32_t chunk = 0;  // index within the book
  std::uint32_t start = 0, end = 0;            // code points
  std::uint32_t byte_start = 0, byte_end = 0;  // UTF-8 bytes
};

struct TermEntry {
  std::uint64_t doc_offset = 0;
  std::uint32_t doc_len = 0;
  std::uint64_t freq_offset = 0;
  std::uint32_t freq_len = 0;
  std::uint32_t doc_count = 0;
};

class SegmentReader {
 public:
  static Result<std::shared_ptr<SegmentReader>> open(const std::string& dir, const index::SegmentInfo& info,
                                                     bool store_text);

  const std::string& dir() const { return dir_; }
  const index::SegmentInfo& info() const { return info_; }
  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(info_.num_docs); }
  std::uint32_t num_books() const { return static_cast<std::uint32_t>(info_.num_books); }
  const fst::FstReader& terms() const { return terms_; }

  // Looks a term up: *found false if absent.
  Status find_term(std::string_view term, bool* found, TermEntry* entry) const;
  // The entry of ordinal o. REQUIRES: o < num_terms.
  Status term_entry(std::uint64_t ordinal, TermEntry* entry) const;
  // The regions of an entry, bounds-checked against the files.
  Status regions(const TermEntry& entry, std::string_view* docs, std::string_view* freqs) const;
  // Decodes a term's postings (local doc ids), validated.
  Status postings(const TermEntry& entry, std::vector<std::uint32_t>* docs,
                  std::vector<std::uint32_t>* freqs) const;

  const std::uint32_t* doc_lengths() const { return doc_lengths_.data(); }
  // REQUIRES: local < num_docs().
  ChunkEntry chunk(std::uint32_t local) const;
  // REQUIRES: book < num_books().
  std::string_view book_name(std::uint32_t book) const;
  // The chunk's stored text; InvalidArgument if the index keeps no text.
  Result<std::string> text(std::uint32_t local) const;

  // Checks every file's CRC-32 against its footer and meta.json, and decodes
  // every term's postings: the first problem, naming the file.
  Status verify() const;

 private:
  SegmentReader() = default;
  Status load(bool store_text);
  std::string path(std::string_view file) const;

  std::string dir_;
  index::SegmentInfo info_;
  std::vector<std::shared_ptr<MappedFile>> mapped_;
  fst::FstReader terms_;
  std::string_view offsets_, docs_, freqs_, chunks_, books_, names_;
  std::string_view text_data_, text_table_;
  std::uint64_t text_blocks_ = 0;
  std::vector<std::uint32_t> doc_lengths_;
  std::vector<std::uint32_t> book_first_chunk_;  // per book, its first chunk (ascending)
  std::size_t chunk_entry_bytes_ = 0;
  bool has_text_ = false;
};

}  // namespace tomes::search
