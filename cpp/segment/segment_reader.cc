#include "segment/segment_reader.h"

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
  return open_books();
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
  return term_table_.entry(ordinal, entry);
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
  return verify_postings();
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
  }
  return Status::ok();
}

}  // namespace tomes::segment
