// book_parser.h: one book file -> ParsedBook (batch.h): read, extract the
// text, fingerprint it, cut it into chunks, analyze each chunk into (term,
// tf) pairs over the batch's dictionary, and deflate the text for storage.
//
// A book that cannot be read, looks binary (parse/binary_text.h) or yields
// nothing to index comes back with skipped = true and a reason for
// report.skipped; parse() never fails otherwise and never throws on any
// input. A kept book whose bytes were not valid UTF-8 has invalid_utf8 set.
//
// Thread safety: a BookParser belongs to one thread at a time (it keeps the
// analysis stream, with its stem cache, and scratch buffers between books);
// make one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "common/string_table.h"
#include "index/batch.h"
#include "parse/book_files.h"
#include "parse/pdf_bridge.h"
#include "parse/text_decode.h"

namespace tomes::index {

struct ParseOptions {
  std::uint32_t chunk_size = 1000;
  std::uint32_t chunk_overlap = 100;
  bool store_text = true;
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;
  // How bytes without a BOM are read (text_decode.h). Not recorded in
  // index.json: it changes what text a book has, as the books themselves
  // do, not how that text is analyzed or found.
  parse::TextEncoding encoding = parse::TextEncoding::kUtf8;
  // Where PDF text comes from (pdf_bridge.h); not owned, null: PDFs are
  // skipped with a reason naming the extra tomes[pdf].
  const parse::PdfTextSource* pdf = nullptr;
};

class BookParser {
 public:
  // REQUIRES: analyzer and options outlive the parser.
  BookParser(const analysis::Analyzer& analyzer, const ParseOptions& options)
      : options_(options), terms_(analyzer) {}

  // Parses file into *out, interning its terms into dictionary (shared by
  // every parser of the batch).
  void parse(const parse::BookFile& file, BatchDictionary* dictionary, ParsedBook* out);

 private:
  void skip(ParsedBook* out, std::string reason);
  void analyze_chunks(std::string_view text, BatchDictionary* dictionary, ParsedBook* out);
  bool deflate_text(std::string_view text, ParsedBook* out);

  const ParseOptions& options_;
  analysis::TermStream terms_;
  // The book's distinct terms -> their batch ids: the shared dictionary (and
  // its lock) is met once per distinct term of a book, not per occurrence.
  // Counting is by local id (dense per book, so tf_ stays small and hot).
  StringTable local_;                       // term -> local id
  std::vector<std::uint32_t> batch_id_;     // local id -> batch id
  std::vector<std::uint32_t> tf_;           // per local id, in the current chunk
  std::vector<std::uint32_t> touched_;      // local ids with tf_ > 0
  std::vector<std::uint64_t> chunk_pairs_;  // batch id << 32 | tf, to sort
  std::vector<chunk::ChunkSpan> spans_;
  // The current chunk's terms, hashed, before they are looked up.
  struct ChunkTerm {
    std::uint64_t hash;
    std::size_t offset;  // in chunk_term_bytes_
    std::size_t length;
  };
  std::vector<ChunkTerm> chunk_terms_;
  std::string chunk_term_bytes_;
};

}  // namespace tomes::index
