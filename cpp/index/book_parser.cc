#include "index/book_parser.h"

#include <algorithm>

#include "common/hash128.h"
#include "parse/extract.h"
#include "segment/segment_format.h"

namespace tomes::index {

void BookParser::skip(ParsedBook* out, std::string reason) {
  out->skipped = true;
  out->skip_reason = std::move(reason);
  out->chunks.clear();
  out->chunk_lengths.clear();
  out->pairs.clear();
  out->pairs.shrink_to_fit();
  out->chunk_ends.clear();
  out->deflated.clear();
  out->text_blocks.clear();
}

void BookParser::parse(const parse::BookFile& file, BatchDictionary* dictionary, ParsedBook* out) {
  out->relative_path = file.relative_path;
  out->invalid_utf8 = false;
  out->file_size = file.content != nullptr ? segment::book_record::kNoFile : file.size;
  out->mtime_ns = file.content != nullptr ? 0 : file.mtime_ns;
  out->metadata = file.metadata;
  parse::ExtractOptions extract;
  extract.encoding = options_.encoding;
  extract.max_text_bytes = options_.max_text_bytes;
  extract.pdf = options_.pdf;
  parse::ExtractInfo info;
  Result<std::string> extracted = parse::extract_book_text(file, extract, &info);
  out->bytes_read = info.bytes_read;
  out->invalid_utf8 = info.invalid_utf8;
  if (!extracted.is_ok()) {
    skip(out, parse::skip_reason(extracted.status(), file.path));
    return;
  }
  std::string text = std::move(extracted).value();
  if (text.size() > options_.max_text_bytes || text.size() >= (std::uint64_t{1} << 32)) {
    skip(out, "the text is larger than the cap of " + std::to_string(options_.max_text_bytes) + " bytes");
    return;
  }
  hash128(text, out->text_hash);
  analyze_chunks(text, dictionary, out);
  if (out->chunks.empty()) {
    skip(out, spans_.empty() ? "empty text" : "no indexable terms");
    return;
  }
  if (options_.store_text && !deflate_text(text, out)) {
    skip(out, "could not compress the text (out of memory?)");
  }
}

void BookParser::analyze_chunks(std::string_view text, BatchDictionary* dictionary, ParsedBook* out) {
  spans_.clear();
  chunk::chunk_text(text, options_.chunk_size, options_.chunk_overlap, &spans_);
  touched_.clear();
  local_.clear();
  batch_id_.clear();
  tf_.clear();
  out->chunks.clear();
  out->chunk_lengths.clear();
  out->pairs.clear();
  out->chunk_ends.clear();
  for (const chunk::ChunkSpan& span : spans_) {
    // First the chunk's terms, each hashed and its slot prefetched; then the
    // lookups, which by then mostly find their slot in cache: a book's table
    // outgrows L2, and probing term by term waited on a miss for each rare
    // term.
    terms_.reset(text.substr(span.byte_start, span.byte_end - span.byte_start));
    chunk_terms_.clear();
    chunk_term_bytes_.clear();
    std::string_view term;
    while (terms_.next(&term)) {
      const std::uint64_t h = hash_bytes(term);
      local_.prefetch(h);
      chunk_terms_.push_back(ChunkTerm{h, chunk_term_bytes_.size(), term.size()});
      chunk_term_bytes_.append(term);  // a term view lasts only until the next one
    }
    const auto length = static_cast<std::uint32_t>(chunk_terms_.size());
    for (const ChunkTerm& t : chunk_terms_) {
      const std::string_view bytes = std::string_view(chunk_term_bytes_).substr(t.offset, t.length);
      std::uint32_t local;
      if (const std::uint64_t* known = local_.find(bytes, t.hash)) {
        local = static_cast<std::uint32_t>(*known);
      } else {
        local = static_cast<std::uint32_t>(batch_id_.size());
        batch_id_.push_back(dictionary->intern(bytes, t.hash));
        local_.insert_new(bytes, t.hash, local);
        tf_.push_back(0);
      }
      if (tf_[local]++ == 0) touched_.push_back(local);
    }
    if (length == 0) continue;  // a chunk with no indexed term is dropped
    // Batch ids ascending, as gaps, with tf == 1 (most pairs) folded into
    // the gap's low bit: about 1.3 bytes a pair (batch.h).
    chunk_pairs_.clear();
    for (std::uint32_t local : touched_) {
      chunk_pairs_.push_back(std::uint64_t{batch_id_[local]} << 32 | tf_[local]);
      tf_[local] = 0;
    }
    touched_.clear();
    std::sort(chunk_pairs_.begin(), chunk_pairs_.end());
    std::uint32_t next_id = 0;
    for (std::uint64_t pair : chunk_pairs_) {
      const auto id = static_cast<std::uint32_t>(pair >> 32);
      append_pair(&out->pairs, id - next_id, static_cast<std::uint32_t>(pair));
      next_id = id + 1;
    }
    out->chunks.push_back(span);
    out->chunk_lengths.push_back(length);
    out->chunk_ends.push_back(out->pairs.size());
  }
  // The batch keeps this for a while (parsed, queued, written): no slack.
  out->pairs.shrink_to_fit();
  out->chunks.shrink_to_fit();
  out->chunk_lengths.shrink_to_fit();
  out->chunk_ends.shrink_to_fit();
}

bool BookParser::deflate_text(std::string_view text, ParsedBook* out) {
  out->deflated.clear();
  out->text_blocks.clear();
  if (!segment::deflate_text_blocks(text, &out->deflated, &out->text_blocks)) return false;
  out->deflated.shrink_to_fit();  // held until the segment is written: no slack
  return true;
}

}  // namespace tomes::index
