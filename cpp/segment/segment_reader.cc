#include "segment/segment_reader.h"

#include <algorithm>

#include "common/crc32.h"
#include "common/file_footer.h"
#include "postings/postings_reader.h"
#include "segment/doc_lengths.h"
#include "segment/segment_file.h"
#include "segment/segment_format.h"
#include "segment/segment_meta.h"

namespace tomes::segment {

std::string SegmentReader::path(std::string_view file) const { return dir_ + "/" + std::string(file); }

Result<std::shared_ptr<SegmentReader>> SegmentReader::open(const std::string& dir, const SegmentInfo& info,
                                                           bool store_text) {
  std::shared_ptr<SegmentReader> reader(new SegmentReader());
  reader->dir_ = dir;
  reader->info_ = info;
  if (Status s = reader->load(store_text); !s.is_ok()) return s;
  return reader;
}

Status SegmentReader::load(bool store_text) {
  if (Status s = check_segment_meta(path(kMetaFile), info_, store_text); !s.is_ok()) return s;
  if (Status s = open_terms(); !s.is_ok()) return s;
  if (Status s = open_postings(); !s.is_ok()) return s;
  if (Status s = open_doc_lengths(); !s.is_ok()) return s;
  if (Status s = open_chunks(store_text); !s.is_ok()) return s;
  if (Status s = open_books(); !s.is_ok()) return s;
  return open_deletes();
}

Status SegmentReader::open_deletes() {
  if (info_.deletes.empty()) return Status::ok();  // read_manifest checked the counts are 0
  const std::string file_path = path(info_.deletes);
  Result<std::shared_ptr<MappedFile>> m = map_segment_file(file_path);
  if (!m.is_ok()) return m.status();
  const std::string_view all = m.value()->bytes();
  if (all.size() != info_.deletes_bytes) {
    return Status::corruption(file_path + ": " + std::to_string(all.size()) + " bytes, index.json says " +
                              std::to_string(info_.deletes_bytes));
  }
  if (crc32_update(0, all) != info_.deletes_crc32) {
    return Status::corruption(file_path + ": checksum mismatch with index.json (the file is damaged)");
  }
  Result<std::string_view> body = check_footer(all, kDeletesMagic, kSegmentFormatVersion, false, file_path);
  if (!body.is_ok()) return body.status();
  Result<DeletionRecord> record = read_deletes(body.value(), info_.num_books, info_.num_terms, file_path);
  if (!record.is_ok()) return record.status();
  deletions_ = std::move(record).value();
  if (deletions_.books.size() != info_.deleted_books) {
    return Status::corruption(file_path + ": lists " + std::to_string(deletions_.books.size()) +
                              " deleted books, index.json says " + std::to_string(info_.deleted_books));
  }
  if (Status s = build_deleted_bits(); !s.is_ok()) return s;
  return check_deleted_counts();
}

Status SegmentReader::build_deleted_bits() {
  deleted_bits_.assign((std::size_t{num_docs()} + 63) / 64, 0);
  std::uint64_t docs = 0, length = 0;
  for (std::uint32_t book : deletions_.books) {
    for (std::uint32_t d = first_chunk(book); d < end_chunk(book); ++d) {
      deleted_bits_[d >> 6] |= std::uint64_t{1} << (d & 63);
      length += doc_lengths_[d];
    }
    docs += end_chunk(book) - first_chunk(book);
  }
  if (docs != info_.deleted_docs || length != info_.deleted_length) {
    return Status::corruption(path(info_.deletes) + ": its books hold " + std::to_string(docs) + " chunks of length " +
                              std::to_string(length) + ", index.json says " + std::to_string(info_.deleted_docs) +
                              " of length " + std::to_string(info_.deleted_length));
  }
  return Status::ok();
}

Status SegmentReader::check_deleted_counts() const {
  for (const auto& [ordinal, count] : deletions_.deleted_postings) {
    TermEntry e;
    if (Status s = term_table_.entry(ordinal, &e); !s.is_ok()) return s;
    if (count > e.doc_count) {
      return Status::corruption(path(info_.deletes) + ": term " + std::to_string(ordinal) + " has " +
                                std::to_string(count) + " deleted postings, expected at most its " +
                                std::to_string(e.doc_count));
    }
  }
  return Status::ok();
}

bool SegmentReader::book_deleted(std::uint32_t book) const {
  return std::binary_search(deletions_.books.begin(), deletions_.books.end(), book);
}

std::uint32_t SegmentReader::deleted_postings(std::uint64_t ordinal) const {
  const auto& d = deletions_.deleted_postings;
  const auto it = std::lower_bound(d.begin(), d.end(), ordinal,
                                   [](const std::pair<std::uint32_t, std::uint32_t>& p, std::uint64_t o) {
                                     return p.first < o;
                                   });
  return it != d.end() && it->first == ordinal ? it->second : 0;
}

Status SegmentReader::open_books() {
  std::string_view body;
  if (Status s = map_footed_file(path(kBooksFile), kBooksMagic, true, &mapped_, &body); !s.is_ok()) return s;
  Result<BookTable> books = BookTable::open(body, info_.num_books, path(kBooksFile));
  if (!books.is_ok()) return books.status();
  books_ = std::move(books).value();
  return Status::ok();
}

Status SegmentReader::open_terms() {
  Result<std::shared_ptr<MappedFile>> mapped = map_segment_file(path(kTermsFile));
  if (!mapped.is_ok()) return mapped.status();
  Result<fst::FstReader> fst = fst::FstReader::open(mapped.value()->bytes(), path(kTermsFile));
  mapped_.push_back(std::move(mapped).value());
  if (!fst.is_ok()) return fst.status();
  terms_ = std::move(fst).value();
  if (terms_.key_count() != info_.num_terms) {
    return Status::corruption(path(kTermsFile) + ": holds " + std::to_string(terms_.key_count()) +
                              " terms, meta.json says " + std::to_string(info_.num_terms));
  }
  return Status::ok();
}

Status SegmentReader::open_postings() {
  std::string_view offsets;
  if (Status s = map_footed_file(path(kOffsetsFile), kOffsetsMagic, true, &mapped_, &offsets); !s.is_ok()) return s;
  if (Status s = map_footed_file(path(kDocsFile), kDocsMagic, false, &mapped_, &docs_); !s.is_ok()) return s;
  if (Status s = map_footed_file(path(kFreqsFile), kFreqsMagic, false, &mapped_, &freqs_); !s.is_ok()) return s;
  Result<TermTable> table =
      TermTable::open(offsets, info_.num_terms, info_.num_docs, docs_.size(), freqs_.size(), path(kOffsetsFile));
  if (!table.is_ok()) return table.status();
  term_table_ = std::move(table).value();
  return Status::ok();
}

Status SegmentReader::open_doc_lengths() {
  std::string_view body;
  if (Status s = map_footed_file(path(kDocLengthsFile), kDocLengthsMagic, true, &mapped_, &body); !s.is_ok()) {
    return s;
  }
  return decode_doc_lengths(body, info_.num_docs, info_.total_length, path(kDocLengthsFile), &doc_lengths_);
}

Status SegmentReader::open_chunks(bool store_text) {
  std::string_view body;
  if (Status s = map_footed_file(path(kChunksFile), kChunksMagic, true, &mapped_, &body); !s.is_ok()) return s;
  Result<ChunkTable> chunks = ChunkTable::open(body, info_.num_docs, info_.num_books, store_text, path(kChunksFile));
  if (!chunks.is_ok()) return chunks.status();
  chunks_ = std::move(chunks).value();
  std::uint64_t text_blocks = 0;
  if (store_text) {
    std::string_view text;
    if (Status s = map_footed_file(path(kTextFile), kTextMagic, false, &mapped_, &text); !s.is_ok()) return s;
    Result<TextStore> store = TextStore::open(text, path(kTextFile));
    if (!store.is_ok()) return store.status();
    text_ = std::move(store).value();
    text_blocks = text_->num_blocks();
  }
  return chunks_.check_entries(text_blocks);
}

Status SegmentReader::term_entry(std::uint64_t ordinal, TermEntry* entry) const {
  if (Status s = term_table_.entry(ordinal, entry); !s.is_ok()) return s;
  // open() checked every deleted count is <= its term's doc_count.
  if (has_deletions()) entry->live_count = entry->doc_count - deleted_postings(ordinal);
  return Status::ok();
}

Status SegmentReader::find_term(std::string_view term, bool* found, TermEntry* entry) const {
  std::uint64_t ordinal = 0;
  if (Status s = terms_.get(term, found, &ordinal); !s.is_ok()) return s;
  if (!*found) return Status::ok();
  return term_entry(ordinal, entry);
}

Status SegmentReader::regions(const TermEntry& e, std::string_view* docs, std::string_view* freqs) const {
  if (e.doc_offset > docs_.size() || e.doc_len > docs_.size() - e.doc_offset) {
    return Status::corruption(path(kOffsetsFile) + ": a doc region lies outside " + path(kDocsFile));
  }
  if (e.freq_offset > freqs_.size() || e.freq_len > freqs_.size() - e.freq_offset) {
    return Status::corruption(path(kOffsetsFile) + ": a frequency region lies outside " + path(kFreqsFile));
  }
  *docs = docs_.substr(e.doc_offset, e.doc_len);
  *freqs = freqs_.substr(e.freq_offset, e.freq_len);
  return Status::ok();
}

Status SegmentReader::postings(const TermEntry& e, std::vector<std::uint32_t>* docs,
                               std::vector<std::uint32_t>* freqs) const {
  std::string_view d, f;
  if (Status s = regions(e, &d, &f); !s.is_ok()) return s;
  Status s = postings::decode_postings(d, f, e.doc_count, num_docs(), docs, freqs);
  if (!s.is_ok()) return Status::corruption(path(kDocsFile) + ": " + s.message());
  return Status::ok();
}

Result<std::string> SegmentReader::text(std::uint32_t local) const {
  if (!text_) return Status::invalid_argument(dir_ + ": this index keeps no text (store_text=False)");
  const ChunkEntry c = chunk(local);
  return text_->read(chunks_.first_text_block(c.book), c.byte_start, c.byte_end, local);
}

Status SegmentReader::verify() const {
  if (Status s = verify_file_checksums(); !s.is_ok()) return s;
  if (Status s = verify_deletes_file(); !s.is_ok()) return s;
  return verify_postings();
}

Status SegmentReader::verify_deletes_file() const {
  if (info_.deletes.empty()) return Status::ok();
  const std::string file_path = path(info_.deletes);
  Result<std::shared_ptr<MappedFile>> m = map_segment_file(file_path);
  if (!m.is_ok()) return m.status();
  const std::string_view all = m.value()->bytes();
  if (all.size() != info_.deletes_bytes || crc32_update(0, all) != info_.deletes_crc32) {
    return Status::corruption(file_path + ": size or checksum differs from index.json (the file is damaged)");
  }
  return Status::ok();
}

Status SegmentReader::verify_file_checksums() const {
  const std::string meta_path = path(kMetaFile);
  Result<std::vector<FileRecord>> recorded = read_segment_meta_files(meta_path);
  if (!recorded.is_ok()) return recorded.status();
  // terms.fst first (it has its own footer, fst_format.h), then the footed files.
  std::vector<FootedFile> expected = {{kTermsFile, {}}};
  for (const FootedFile& f : kFootedFiles) {
    if (f.name != kTextFile || text_) expected.push_back(f);
  }
  for (const FootedFile& file : expected) {
    const FileRecord* record = nullptr;
    for (const FileRecord& r : recorded.value()) {
      if (r.name == file.name) record = &r;
    }
    if (record == nullptr) return Status::corruption(meta_path + ": no checksum for " + std::string(file.name));
    const std::string file_path = path(file.name);
    Result<std::shared_ptr<MappedFile>> m = MappedFile::open(file_path);
    if (!m.is_ok()) return Status::corruption(file_path + ": " + m.status().message());
    const std::string_view all = m.value()->bytes();
    if (all.size() != record->bytes) {
      return Status::corruption(file_path + ": " + std::to_string(all.size()) + " bytes, meta.json says " +
                                std::to_string(record->bytes));
    }
    if (crc32_update(0, all) != record->crc) {
      return Status::corruption(file_path + ": checksum mismatch with meta.json (the file is damaged)");
    }
    if (!file.magic.empty()) {
      // The CRC above covers the footer and body already: check the footer's
      // magic and version, not its CRC again (one pass over the file).
      Result<std::string_view> b = check_footer(all, file.magic, kSegmentFormatVersion, false, file_path);
      if (!b.is_ok()) return b.status();
    }
  }
  return Status::ok();
}

Status SegmentReader::verify_postings() const {
  if (Status s = term_table_.verify(); !s.is_ok()) return s;
  // Every term's postings, in full, with the block bounds against the lengths.
  for (std::uint64_t o = 0; o < info_.num_terms; ++o) {
    TermEntry e;
    if (Status s = term_entry(o, &e); !s.is_ok()) return s;
    std::string_view d, f;
    if (Status s = regions(e, &d, &f); !s.is_ok()) return s;
    Status s = postings::verify_postings(d, f, e.doc_count, num_docs(), doc_lengths_.data());
    if (!s.is_ok()) return Status::corruption(path(kDocsFile) + ": term " + std::to_string(o) + ": " + s.message());
    if (has_deletions()) {
      if (Status c = verify_deleted_count(e, o); !c.is_ok()) return c;
    }
  }
  return Status::ok();
}

Status SegmentReader::verify_deleted_count(const TermEntry& e, std::uint64_t ordinal) const {
  std::vector<std::uint32_t> docs, freqs;
  if (Status s = postings(e, &docs, &freqs); !s.is_ok()) return s;
  std::uint32_t deleted = 0;
  for (std::uint32_t d : docs) deleted += doc_deleted(d) ? 1 : 0;
  if (deleted != deleted_postings(ordinal)) {
    return Status::corruption(path(info_.deletes) + ": term " + std::to_string(ordinal) + " has " +
                              std::to_string(deleted_postings(ordinal)) + " deleted postings, its postings hold " +
                              std::to_string(deleted));
  }
  return Status::ok();
}

}  // namespace tomes::segment
