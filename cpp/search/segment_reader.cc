#include "search/segment_reader.h"

#include <zlib.h>

#include <algorithm>

#include "common/coding.h"
#include "common/crc32.h"
#include "common/file_footer.h"
#include "common/file_system.h"
#include "common/json.h"
#include "index/segment_format.h"
#include "postings/postings_reader.h"

namespace tomes::search {

using namespace tomes::index;  // the segment_format.h names

std::string SegmentReader::path(std::string_view file) const { return dir_ + "/" + std::string(file); }

Result<std::shared_ptr<SegmentReader>> SegmentReader::open(const std::string& dir,
                                                           const index::SegmentInfo& info, bool store_text) {
  std::shared_ptr<SegmentReader> reader(new SegmentReader());
  reader->dir_ = dir;
  reader->info_ = info;
  if (Status s = reader->load(store_text); !s.is_ok()) return s;
  return reader;
}

Status SegmentReader::load(bool store_text) {
  // meta.json must agree with the manifest.
  const std::string meta_path = path(kMetaFile);
  Result<Json> meta = read_checksummed_json(meta_path, std::size_t{1} << 20);
  if (!meta.is_ok()) {
    return meta.status().code() == Status::Code::kNotFound
               ? Status::corruption(meta_path + ": missing (the segment is incomplete)")
               : meta.status();
  }
  Result<std::int64_t> version = json_int(meta.value(), "format_version", meta_path);
  if (!version.is_ok()) return version.status();
  if (version.value() != kSegmentFormatVersion) {
    return Status::corruption(meta_path + ": segment format version " + std::to_string(version.value()) +
                              ", this tomes reads version " + std::to_string(kSegmentFormatVersion));
  }
  const Json* meta_store_text = meta.value().find("store_text");
  if (meta_store_text == nullptr || meta_store_text->type() != Json::Type::kBool ||
      meta_store_text->as_bool() != store_text) {
    return Status::corruption(meta_path + ": store_text disagrees with index.json");
  }
  for (const auto& [key, want] : {std::pair<const char*, std::uint64_t>{"num_docs", info_.num_docs},
                                  {"base_doc_id", info_.base_doc_id},
                                  {"num_books", info_.num_books},
                                  {"num_terms", info_.num_terms},
                                  {"total_length", info_.total_length}}) {
    Result<std::int64_t> got = json_int(meta.value(), key, meta_path);
    if (!got.is_ok()) return got.status();
    if (static_cast<std::uint64_t>(got.value()) != want) {
      return Status::corruption(meta_path + ": " + key + " is " + std::to_string(got.value()) +
                                ", index.json says " + std::to_string(want));
    }
  }
  auto map = [&](std::string_view file, std::string_view* bytes) -> Status {
    Result<std::shared_ptr<MappedFile>> m = MappedFile::open(path(file));
    if (!m.is_ok()) {
      return m.status().code() == Status::Code::kNotFound
                 ? Status::corruption(path(file) + ": missing (the segment is incomplete)")
                 : m.status();
    }
    *bytes = m.value()->bytes();
    mapped_.push_back(std::move(m).value());
    return Status::ok();
  };
  auto body = [&](std::string_view file, std::string_view magic, bool crc, std::string_view* out) -> Status {
    std::string_view bytes;
    if (Status s = map(file, &bytes); !s.is_ok()) return s;
    Result<std::string_view> b = check_footer(bytes, magic, kSegmentFormatVersion, crc, path(file));
    if (!b.is_ok()) return b.status();
    *out = b.value();
    return Status::ok();
  };
  auto size_error = [&](std::string_view file, std::uint64_t want, std::uint64_t got) {
    return Status::corruption(path(file) + ": expected " + std::to_string(want) + " bytes before the footer, got " +
                              std::to_string(got));
  };

  std::string_view fst_bytes;
  if (Status s = map(kTermsFile, &fst_bytes); !s.is_ok()) return s;
  Result<fst::FstReader> fst = fst::FstReader::open(fst_bytes, path(kTermsFile));
  if (!fst.is_ok()) return fst.status();
  terms_ = std::move(fst).value();
  if (terms_.key_count() != info_.num_terms) {
    return Status::corruption(path(kTermsFile) + ": holds " + std::to_string(terms_.key_count()) +
                              " terms, meta.json says " + std::to_string(info_.num_terms));
  }
  if (Status s = body(kOffsetsFile, kOffsetsMagic, true, &offsets_); !s.is_ok()) return s;
  if (offsets_.size() != info_.num_terms * kOffsetEntryBytes) {
    return size_error(kOffsetsFile, info_.num_terms * kOffsetEntryBytes, offsets_.size());
  }
  if (Status s = body(kDocsFile, kDocsMagic, false, &docs_); !s.is_ok()) return s;
  if (Status s = body(kFreqsFile, kFreqsMagic, false, &freqs_); !s.is_ok()) return s;
  std::string_view lengths;
  if (Status s = body(kDocLengthsFile, kDocLengthsMagic, true, &lengths); !s.is_ok()) return s;
  if (lengths.size() != info_.num_docs * 4) return size_error(kDocLengthsFile, info_.num_docs * 4, lengths.size());
  doc_lengths_.resize(info_.num_docs);
  std::uint64_t total = 0;
  for (std::uint64_t d = 0; d < info_.num_docs; ++d) {
    doc_lengths_[d] = get_u32(lengths.data() + 4 * d);
    total += doc_lengths_[d];
  }
  if (total != info_.total_length) {
    return Status::corruption(path(kDocLengthsFile) + ": lengths sum to " + std::to_string(total) +
                              ", meta.json says " + std::to_string(info_.total_length));
  }

  std::string_view chunks;
  if (Status s = body(kChunksFile, kChunksMagic, true, &chunks); !s.is_ok()) return s;
  if (chunks.size() < kChunksHeaderBytes) return size_error(kChunksFile, kChunksHeaderBytes, chunks.size());
  const std::uint32_t n_chunks = get_u32(chunks.data());
  const std::uint32_t n_books = get_u32(chunks.data() + 4);
  const std::uint64_t names_bytes = get_u32(chunks.data() + 8);
  chunk_entry_bytes_ = get_u32(chunks.data() + 12);
  if (n_chunks != info_.num_docs || n_books != info_.num_books) {
    return Status::corruption(path(kChunksFile) + ": header says " + std::to_string(n_chunks) + " chunks and " +
                              std::to_string(n_books) + " books, meta.json " + std::to_string(info_.num_docs) +
                              " and " + std::to_string(info_.num_books));
  }
  if (chunk_entry_bytes_ != (store_text ? kChunkEntryWithBytes : kChunkEntryBytes)) {
    return Status::corruption(path(kChunksFile) + ": chunk entries of " + std::to_string(chunk_entry_bytes_) +
                              " bytes, expected " +
                              std::to_string(store_text ? kChunkEntryWithBytes : kChunkEntryBytes));
  }
  const std::uint64_t want = kChunksHeaderBytes + std::uint64_t{n_chunks} * chunk_entry_bytes_ +
                             std::uint64_t{n_books} * kBookEntryBytes;
  if (names_bytes > chunks.size() || chunks.size() - names_bytes != want) {
    return size_error(kChunksFile, want + names_bytes, chunks.size());
  }
  chunks_ = chunks.substr(kChunksHeaderBytes, std::size_t{n_chunks} * chunk_entry_bytes_);
  books_ = chunks.substr(kChunksHeaderBytes + chunks_.size(), std::size_t{n_books} * kBookEntryBytes);
  names_ = chunks.substr(want);

  has_text_ = store_text;
  if (store_text) {
    std::string_view text;
    if (Status s = body(kTextFile, kTextMagic, false, &text); !s.is_ok()) return s;
    if (text.size() < 8) return size_error(kTextFile, 8, text.size());
    text_blocks_ = get_u64(text.data() + text.size() - 8);
    const std::uint64_t table_bytes = text_blocks_ * kTextBlockEntryBytes;
    if (text_blocks_ > text.size() / kTextBlockEntryBytes || table_bytes + 8 > text.size()) {
      return Status::corruption(path(kTextFile) + ": block count " + std::to_string(text_blocks_) +
                                " does not fit the file");
    }
    text_data_ = text.substr(0, text.size() - 8 - table_bytes);
    text_table_ = text.substr(text_data_.size(), table_bytes);
    for (std::uint64_t i = 0; i < text_blocks_; ++i) {
      const char* e = text_table_.data() + i * kTextBlockEntryBytes;
      const std::uint64_t offset = get_u64(e);
      const std::uint32_t length = get_u32(e + 8);
      const std::uint32_t raw = get_u32(e + 12);
      if (offset > text_data_.size() || length > text_data_.size() - offset || raw > kTextBlockBytes) {
        return Status::corruption(path(kTextFile) + ": text block " + std::to_string(i) + " is out of bounds");
      }
    }
  }

  // Every book and chunk entry, so that lookups need no checks.
  book_first_chunk_.resize(n_books);
  for (std::uint32_t b = 0; b < n_books; ++b) {
    const char* e = books_.data() + std::size_t{b} * kBookEntryBytes;
    const std::uint64_t name_offset = get_u64(e);
    const std::uint32_t name_len = get_u32(e + 8);
    const std::uint32_t first_chunk = get_u32(e + 12);
    const std::uint32_t first_block = get_u32(e + 16);
    const std::uint32_t blocks = get_u32(e + 20);
    const bool ordered = b == 0 ? first_chunk == 0 : first_chunk > book_first_chunk_[b - 1];
    if (name_offset > names_.size() || name_len > names_.size() - name_offset || !ordered ||
        first_chunk >= n_chunks || (store_text && (first_block > text_blocks_ || blocks > text_blocks_ - first_block))) {
      return Status::corruption(path(kChunksFile) + ": book entry " + std::to_string(b) + " is out of bounds");
    }
    book_first_chunk_[b] = first_chunk;
  }
  if (n_chunks > 0 && n_books == 0) {
    return Status::corruption(path(kChunksFile) + ": chunks without books");
  }
  for (std::uint32_t c = 0; c < n_chunks; ++c) {
    const ChunkEntry chunk = this->chunk(c);
    bool ok = chunk.start < chunk.end;
    if (store_text) {
      const char* be = books_.data() + std::size_t{chunk.book} * kBookEntryBytes;
      const std::uint64_t text_bytes = std::uint64_t{get_u32(be + 20)} * kTextBlockBytes;
      ok = ok && chunk.byte_start < chunk.byte_end && chunk.end - chunk.start <= chunk.byte_end - chunk.byte_start &&
           chunk.byte_end <= text_bytes;
    }
    if (!ok) {
      return Status::corruption(path(kChunksFile) + ": chunk entry " + std::to_string(c) + " is inconsistent");
    }
  }
  return Status::ok();
}

ChunkEntry SegmentReader::chunk(std::uint32_t local) const {
  const char* e = chunks_.data() + std::size_t{local} * chunk_entry_bytes_;
  ChunkEntry c;
  const auto book = std::upper_bound(book_first_chunk_.begin(), book_first_chunk_.end(), local) - 1;
  c.book = static_cast<std::uint32_t>(book - book_first_chunk_.begin());
  c.chunk = local - *book;
  c.start = get_u32(e);
  c.end = get_u32(e + 4);
  if (chunk_entry_bytes_ == kChunkEntryWithBytes) {
    c.byte_start = get_u32(e + 8);
    c.byte_end = get_u32(e + 12);
  }
  return c;
}

std::string_view SegmentReader::book_name(std::uint32_t book) const {
  const char* e = books_.data() + std::size_t{book} * kBookEntryBytes;
  return names_.substr(get_u64(e), get_u32(e + 8));
}

Status SegmentReader::term_entry(std::uint64_t ordinal, TermEntry* entry) const {
  if (ordinal >= info_.num_terms) {
    return Status::corruption(path(kTermsFile) + ": term ordinal " + std::to_string(ordinal) + " out of range");
  }
  const char* e = offsets_.data() + ordinal * kOffsetEntryBytes;
  entry->doc_offset = get_u64(e);
  entry->doc_len = get_u32(e + 8);
  entry->freq_offset = get_u64(e + 12);
  entry->freq_len = get_u32(e + 20);
  entry->doc_count = get_u32(e + 24);
  if (entry->doc_count == 0 || entry->doc_count > info_.num_docs) {
    return Status::corruption(path(kOffsetsFile) + ": term " + std::to_string(ordinal) + " has doc_count " +
                              std::to_string(entry->doc_count) + ", expected 1.." + std::to_string(info_.num_docs));
  }
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
  if (!has_text_) return Status::invalid_argument(dir_ + ": this index keeps no text (store_text=False)");
  const ChunkEntry c = chunk(local);
  const char* be = books_.data() + std::size_t{c.book} * kBookEntryBytes;
  const std::uint32_t first_block = get_u32(be + 16);
  const std::uint32_t first = c.byte_start / kTextBlockBytes;
  const std::uint32_t last = (c.byte_end - 1) / kTextBlockBytes;
  std::string out;
  std::string raw;
  for (std::uint32_t k = first; k <= last; ++k) {
    const char* e = text_table_.data() + std::size_t{first_block + k} * kTextBlockEntryBytes;
    const std::string_view deflated = text_data_.substr(get_u64(e), get_u32(e + 8));
    const std::uint32_t raw_len = get_u32(e + 12);
    raw.resize(raw_len);
    uLongf got = raw_len;
    const int rc = uncompress(reinterpret_cast<Bytef*>(raw.data()), &got,
                              reinterpret_cast<const Bytef*>(deflated.data()), static_cast<uLong>(deflated.size()));
    if (rc != Z_OK || got != raw_len) {
      return Status::corruption(path(kTextFile) + ": text block " + std::to_string(first_block + k) +
                                " does not inflate to " + std::to_string(raw_len) + " bytes");
    }
    const std::uint64_t block_start = std::uint64_t{k} * kTextBlockBytes;
    const std::uint64_t from = std::max<std::uint64_t>(c.byte_start, block_start) - block_start;
    const std::uint64_t to = std::min<std::uint64_t>(c.byte_end, block_start + raw_len);
    if (to < block_start + from) {
      return Status::corruption(path(kTextFile) + ": text block " + std::to_string(first_block + k) +
                                " is shorter than the chunk needs");
    }
    out.append(raw, from, to - block_start - from);
  }
  if (out.size() != c.byte_end - c.byte_start) {
    return Status::corruption(path(kTextFile) + ": the stored text is shorter than chunk " + std::to_string(local));
  }
  return out;
}

Status SegmentReader::verify() const {
  const std::string meta_path = path(kMetaFile);
  Result<Json> meta = read_checksummed_json(meta_path, std::size_t{1} << 20);
  if (!meta.is_ok()) return meta.status();
  const Json* files = meta.value().find("files");
  if (files == nullptr || !files->is_object()) return Status::corruption(meta_path + ": expected \"files\"");
  std::vector<std::string> expected = {std::string(kTermsFile), std::string(kOffsetsFile), std::string(kDocsFile),
                                       std::string(kFreqsFile), std::string(kDocLengthsFile),
                                       std::string(kChunksFile)};
  if (has_text_) expected.emplace_back(kTextFile);
  for (const std::string& name : expected) {
    const Json* entry = files->find(name);
    if (entry == nullptr) return Status::corruption(meta_path + ": no checksum for " + name);
    Result<std::int64_t> bytes = json_int(*entry, "bytes", meta_path);
    Result<std::int64_t> crc = json_int(*entry, "crc32", meta_path, 0, UINT32_MAX);
    if (!bytes.is_ok()) return bytes.status();
    if (!crc.is_ok()) return crc.status();
    Result<std::shared_ptr<MappedFile>> m = MappedFile::open(path(name));
    if (!m.is_ok()) return Status::corruption(path(name) + ": " + m.status().message());
    const std::string_view all = m.value()->bytes();
    if (all.size() != static_cast<std::uint64_t>(bytes.value())) {
      return Status::corruption(path(name) + ": " + std::to_string(all.size()) + " bytes, meta.json says " +
                                std::to_string(bytes.value()));
    }
    if (crc32_update(0, all) != static_cast<std::uint32_t>(crc.value())) {
      return Status::corruption(path(name) + ": checksum mismatch with meta.json (the file is damaged)");
    }
    if (name != kTermsFile) {
      std::string_view magic = name == kOffsetsFile ? kOffsetsMagic
                               : name == kDocsFile ? kDocsMagic
                               : name == kFreqsFile ? kFreqsMagic
                               : name == kDocLengthsFile ? kDocLengthsMagic
                               : name == kChunksFile ? kChunksMagic
                                                     : kTextMagic;
      // The CRC above covers the footer and body already: check the footer's
      // magic and version, not its CRC again (one pass over the file).
      Result<std::string_view> b = check_footer(all, magic, kSegmentFormatVersion, false, path(name));
      if (!b.is_ok()) return b.status();
    }
  }
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

}  // namespace tomes::search
