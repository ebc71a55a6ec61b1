// index_reader.h: an index (index.json and the segments it lists), opened
// for reading: lookups across segments in global doc ids, and exhaustive
// BM25 search (SPEC 7), the oracle every faster algorithm is tested against.
//
// Doc ids are global: segment s holds [base_doc_id, base + num_docs), and
// the ids of deleted chunks (segment/deletes.h) stay unused until a merge
// renumbers the segments. Term statistics (N, df, avgdl) are index-wide and
// live: they count only the chunks of books not deleted, so every score is
// that of an index built from the live books alone, and no deleted chunk is
// ever returned.
//
// Thread safety: immutable after open(); search() and every lookup may run
// from any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/analyzer.h"
#include "common/status.h"
#include "segment/manifest.h"
#include "segment/segment_reader.h"
#include "search/algorithms.h"
#include "search/book_directory.h"
#include "search/expansion.h"
#include "search/top_k.h"

namespace tomes::search {

struct SearchOptions {
  std::size_t k = 10;
  double k1 = 1.5;
  double b = 0.75;
  unsigned fuzzy = 0;  // 0, 1 or 2
  // With fuzzy: an adjacent swap ("wahle" -> "whale") costs one edit
  // (optimal string alignment distance) instead of two (Levenshtein).
  bool transpositions = false;
  // Every algorithm gives the same hits (algorithms.h); tests and the
  // benchmark compare them.
  Algorithm algorithm = Algorithm::kDefault;
};

struct ChunkLocation {
  std::string book_id;
  std::uint32_t chunk = 0;
  std::uint32_t start = 0, end = 0;
};

// A hit with the chunk it names, as callers show it. book_id views the
// segment's book table: valid while the IndexReader is (no copy per hit).
struct LocatedHit {
  std::uint32_t doc_id = 0;
  double score = 0;
  std::string_view book_id;
  std::uint32_t chunk = 0;
  std::uint32_t start = 0, end = 0;
};

// What an index holds and how it was built: index.json's totals and
// settings, with the per-segment figures summed.
struct IndexStats {
  std::uint64_t books = 0;   // live
  std::uint64_t chunks = 0;  // live
  std::uint64_t deleted_docs = 0;       // chunks of deleted books, still in their segments
  std::uint64_t terms = 0;              // distinct terms with a live posting, index-wide
  std::uint64_t segment_terms_sum = 0;  // the segments' term counts summed: a term in n segments counts n times
  std::uint64_t segments = 0;
  double avgdl = 0;
  std::uint64_t total_length = 0;
  std::uint64_t bytes = 0;  // the segments' files
  std::uint64_t generation = 0;
  bool store_text = true;
  std::string stopwords_name;  // "" for none
  std::string stemmer;         // "" for none
  std::uint32_t chunk_size = 0;
  std::uint32_t chunk_overlap = 0;
  std::string unicode_version;
};

class IndexReader {
 public:
  // NotFound when dir holds no index.json; Corruption for anything damaged.
  static Result<std::shared_ptr<IndexReader>> open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const segment::Manifest& manifest() const { return manifest_; }
  const analysis::Analyzer& analyzer() const { return analyzer_; }
  // Live chunks: BM25's N, len(ix).
  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(manifest_.total_docs); }
  // One past the highest doc id; ids of deleted chunks lie below it too.
  std::uint64_t doc_id_end() const { return manifest_.doc_id_end(); }
  const std::vector<std::shared_ptr<segment::SegmentReader>>& segments() const { return segments_; }

  // Index-wide live doc frequency of an exact term.
  Result<std::uint64_t> doc_freq(std::string_view term) const;
  // (term, doc_freq) for the terms starting with prefix, in term order;
  // terms with no live posting left out.
  Status terms(std::string_view prefix, std::vector<std::pair<std::string, std::uint64_t>>* out) const;
  // A term's live postings, global doc ids ascending.
  Status postings(std::string_view term, std::vector<std::uint32_t>* docs, std::vector<std::uint32_t>* freqs) const;
  // InvalidArgument if doc_id >= doc_id_end() or its chunk is deleted
  // ("doc_id N is a deleted chunk (its book was deleted or replaced)").
  Result<ChunkLocation> chunk_info(std::uint64_t doc_id) const;
  Result<std::string> text(std::uint64_t doc_id) const;

  // The k best chunks for query, best first, ties by lower doc id: exactly
  // an exhaustive evaluation's, found by options.algorithm (algorithms.h)
  // segment by segment into one collector. Memory: the query's cursors
  // and the k hits, nothing in proportion to the index.
  Status search(std::string_view query, const SearchOptions& options, std::vector<Hit>* hits) const;

  // search(), each hit joined to its chunk_info().
  Status search_with_locations(std::string_view query, const SearchOptions& options,
                               std::vector<LocatedHit>* hits) const;

  // Corruption if a segment's term dictionary cannot be read (distinct_terms).
  Result<IndexStats> stats() const;

  // The number of distinct terms in the index: one segment's key count, or
  // a k-way merge of every segment's term stream, made by the first call
  // (time linear in the term entries) and kept for the later ones.
  // Corruption if a term dictionary cannot be read.
  Result<std::uint64_t> distinct_terms() const;

  // Checks every checksum and every posting of every segment.
  Status verify() const;

  // The live books by id (book_directory.h), made by the first call (one
  // pass over the book tables) and kept for the later ones.
  const BookDirectory& books() const;

 private:
  IndexReader() = default;
  // The segments holding term, with their entries, and its index-wide df.
  Status find_term(std::string_view term, std::vector<SegmentTerm>* found, std::uint64_t* df) const;
  // One attempt at open(); *tried gets the generation index.json named.
  static Result<std::shared_ptr<IndexReader>> open_generation(const std::string& dir, std::uint64_t* tried);
  // Segment holding doc_id, and its local id; InvalidArgument when doc_id is
  // out of range or deleted.
  Result<std::pair<const segment::SegmentReader*, std::uint32_t>> locate(std::uint64_t doc_id) const;
  // One indexed term a query term stands for: where it is, and its weight.
  struct WeightedTerm {
    std::vector<SegmentTerm> found;  // in segment order
    Bm25 weight;
  };
  // The query's groups (one a query term, in query order) of weighted terms;
  // a term the index lacks is left out, and so is a group left empty.
  Status query_groups(std::string_view query, const SearchOptions& options,
                      std::vector<std::vector<WeightedTerm>>* groups) const;
  // Scores one segment: its cursors for the groups, then the algorithm.
  Status search_segment(const segment::SegmentReader& seg, const std::vector<std::vector<WeightedTerm>>& groups,
                        QueryAlgorithm algorithm, TopK* top) const;

  std::string dir_;
  segment::Manifest manifest_;
  analysis::Analyzer analyzer_;
  std::vector<std::shared_ptr<segment::SegmentReader>> segments_;
  mutable std::once_flag books_once_;
  mutable std::unique_ptr<BookDirectory> books_;
  // distinct_terms(), counted once: the first caller counts, others wait.
  mutable std::once_flag distinct_terms_once_;
  mutable Status distinct_terms_status_;
  mutable std::uint64_t distinct_terms_ = 0;
};

}  // namespace tomes::search
