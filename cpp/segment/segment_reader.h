// segment_reader.h: one segment directory (segment_format.h), memory-mapped
// and checked before use: the reader that search (cpp/search) and, later,
// merging read segments through.
//
// open() checks meta.json (its checksum, and its counts against the
// manifest), every file's footer (magic, version), every size that follows
// from those counts, the CRC-32 of the small files (terms.fst via its own
// footer, offsets, doc lengths, chunks), and every chunk and book entry, so
// no later lookup follows an unchecked offset. The big files
// (postings, stored text) are checked block by block as they are decoded,
// and in full by verify().
//
// Deletions: when index.json names a deletes file for the segment
// (segment_info.h, deletes.h), open() checks its size and CRC-32 against
// index.json, every value in it, and that the chunks and lengths of its books
// add up to index.json's deleted_docs and deleted_length; it then keeps a
// bitset of the deleted docs and gives every TermEntry its live_count.
// verify() counts each term's deleted postings again from the postings.
//
// Thread safety: immutable after open(); any number of threads may read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mapped_file.h"
#include "common/status.h"
#include "fst/fst_reader.h"
#include "segment/book_table.h"
#include "segment/chunk_table.h"
#include "segment/deletes.h"
#include "segment/segment_info.h"
#include "segment/term_entries.h"
#include "segment/term_table.h"
#include "segment/text_store.h"

namespace tomes::segment {

class SegmentReader {
 public:
  static Result<std::shared_ptr<SegmentReader>> open(const std::string& dir, const SegmentInfo& info,
                                                     bool store_text);

  const std::string& dir() const { return dir_; }
  const SegmentInfo& info() const { return info_; }
  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(info_.num_docs); }
  std::uint32_t num_books() const { return static_cast<std::uint32_t>(info_.num_books); }
  const fst::FstReader& terms() const { return terms_; }

  // Looks a term up: *found false if absent. A term whose every posting is
  // deleted is found, with entry->live_count 0.
  Status find_term(std::string_view term, bool* found, TermEntry* entry) const;
  // The entry of ordinal o, live_count included. REQUIRES: o < num_terms.
  Status term_entry(std::uint64_t ordinal, TermEntry* entry) const;
  // The regions of an entry, bounds-checked against the files.
  Status regions(const TermEntry& entry, std::string_view* docs, std::string_view* freqs) const;
  // Decodes a term's postings (local doc ids), validated; deleted docs
  // included (filter them with doc_deleted()).
  Status postings(const TermEntry& entry, std::vector<std::uint32_t>* docs,
                  std::vector<std::uint32_t>* freqs) const;

  const std::uint32_t* doc_lengths() const { return doc_lengths_.data(); }
  // REQUIRES: local < num_docs().
  ChunkEntry chunk(std::uint32_t local) const { return chunks_.chunk(local); }
  // REQUIRES: book < num_books().
  std::string_view book_name(std::uint32_t book) const { return chunks_.book_name(book); }
  // Book b's stored-text blocks: the first one's index in text_store() and
  // their count (0, 0 without stored text). REQUIRES: book < num_books().
  std::uint32_t first_text_block(std::uint32_t book) const { return chunks_.first_text_block(book); }
  std::uint32_t text_blocks(std::uint32_t book) const { return chunks_.text_blocks(book); }
  // Book b's chunks are the local docs [first_chunk(b), end_chunk(b)).
  // REQUIRES: book < num_books().
  std::uint32_t first_chunk(std::uint32_t book) const { return chunks_.first_chunk(book); }
  std::uint32_t end_chunk(std::uint32_t book) const { return chunks_.end_chunk(book); }
  // Book b's source record and metadata (books.bin). REQUIRES: book < num_books().
  BookRecord book_record(std::uint32_t book) const { return books_.book(book); }
  // text.bin, or nullptr if the index keeps no text.
  const TextStore* text_store() const { return text_ ? &*text_ : nullptr; }
  // The chunk's stored text; InvalidArgument if the index keeps no text.
  Result<std::string> text(std::uint32_t local) const;

  // Deletions. The bitset and the record were built and checked by open().
  bool has_deletions() const { return !deletions_.books.empty(); }
  // REQUIRES: local < num_docs().
  bool doc_deleted(std::uint32_t local) const {
    return !deleted_bits_.empty() && ((deleted_bits_[local >> 6] >> (local & 63)) & 1) != 0;
  }
  // REQUIRES: book < num_books().
  bool book_deleted(std::uint32_t book) const;
  // The deletes file's content; empty when nothing is deleted.
  const DeletionRecord& deletions() const { return deletions_; }
  // Bit d of word d / 64 is set when local doc d is deleted; nullptr when
  // nothing is. (num_docs() + 63) / 64 words.
  const std::uint64_t* deleted_doc_bits() const { return deleted_bits_.empty() ? nullptr : deleted_bits_.data(); }
  // Postings of ordinal o in deleted books (0 if none).
  std::uint32_t deleted_postings(std::uint64_t ordinal) const;

  // Drops the pages of its files read so far from the process's RSS
  // (MappedFile::release_pages); nothing read changes. For merges.
  void release_pages() const {
    for (const auto& file : mapped_) file->release_pages();
  }

  // Checks every file's CRC-32 against its footer and meta.json (the deletes
  // file against index.json), and decodes every term's postings, counting
  // their deleted ones against the deletes file: the first problem, naming
  // the file.
  Status verify() const;
  // verify()'s first half alone: every file's CRC-32 against its footer and
  // meta.json (one pass over the bytes; merging checks its inputs so).
  Status verify_checksums() const { return verify_file_checksums(); }

 private:
  SegmentReader() = default;
  // The steps of open(), in order.
  Status load(bool store_text);
  Status open_terms();
  Status open_postings();
  Status open_doc_lengths();
  Status open_chunks(bool store_text);
  Status open_books();
  Status open_deletes();
  // open_deletes' checks of the record against the chunks, lengths and terms.
  Status build_deleted_bits();
  Status check_deleted_counts() const;
  // verify()'s steps.
  Status verify_file_checksums() const;
  Status verify_postings() const;
  Status verify_deletes_file() const;
  Status verify_deleted_count(const TermEntry& entry, std::uint64_t ordinal) const;

  std::string path(std::string_view file) const;

  std::string dir_;
  SegmentInfo info_;
  std::vector<std::shared_ptr<MappedFile>> mapped_;
  fst::FstReader terms_;
  TermTable term_table_;
  std::string_view docs_, freqs_;
  std::vector<std::uint32_t> doc_lengths_;
  ChunkTable chunks_;
  BookTable books_;
  std::optional<TextStore> text_;  // store_text only
  DeletionRecord deletions_;
  std::vector<std::uint64_t> deleted_bits_;  // empty without deletions
};

}  // namespace tomes::segment
