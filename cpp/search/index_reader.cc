#include "search/index_reader.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/unicode_tables.h"
#include "fst/fst_fuzzy.h"
#include "search/expansion.h"
#include "search/cursor.h"
#include "search/query.h"
#include "segment/segment_format.h"

namespace tomes::search {

using segment::ChunkEntry;
using segment::SegmentReader;
using segment::TermEntry;

Result<std::shared_ptr<IndexReader>> IndexReader::open(const std::string& dir) {
  // A writer may commit a new generation and delete the old one's segments
  // between our reading index.json and opening them: then read it again.
  for (int attempt = 0;; ++attempt) {
    std::uint64_t tried = 0;
    Result<std::shared_ptr<IndexReader>> reader = open_generation(dir, &tried);
    if (reader.is_ok() || attempt == 3 || reader.status().code() != Status::Code::kCorruption) return reader;
    Result<segment::Manifest> now = segment::read_manifest(dir);
    if (!now.is_ok() || now.value().generation == tried) return reader;
  }
}

Result<std::shared_ptr<IndexReader>> IndexReader::open_generation(const std::string& dir, std::uint64_t* tried) {
  std::shared_ptr<IndexReader> reader(new IndexReader());
  reader->dir_ = dir;
  Result<segment::Manifest> manifest = segment::read_manifest(dir);
  if (!manifest.is_ok()) {
    if (manifest.status().code() == Status::Code::kNotFound) {
      return Status::not_found(dir + ": no tomes index here (no index.json)");
    }
    return manifest.status();
  }
  reader->manifest_ = std::move(manifest).value();
  *tried = reader->manifest_.generation;
  const segment::IndexSettings& settings = reader->manifest_.settings;
  const std::string source = dir + "/" + std::string(segment::kManifestFile);
  if (reader->manifest_.unicode_version != analysis::unicode::kUnicodeVersion) {
    return Status::corruption(source + ": built with Unicode " + reader->manifest_.unicode_version +
                              " tables, this tomes has " + analysis::unicode::kUnicodeVersion);
  }
  // A stemmer this tomes does not know means the file is not one it wrote.
  Result<analysis::Analyzer> analyzer = analysis::make_analyzer(settings.stopwords, settings.stemmer);
  if (!analyzer.is_ok()) return Status::corruption(source + ": unknown stemmer \"" + settings.stemmer + "\"");
  reader->analyzer_ = std::move(analyzer).value();
  for (const segment::SegmentInfo& info : reader->manifest_.segments) {
    Result<std::shared_ptr<SegmentReader>> segment =
        SegmentReader::open(dir + "/" + info.name, info, settings.store_text);
    if (!segment.is_ok()) return segment.status();
    reader->segments_.push_back(std::move(segment).value());
  }
  return reader;
}

Result<std::pair<const SegmentReader*, std::uint32_t>> IndexReader::locate(std::uint64_t doc_id) const {
  if (doc_id >= doc_id_end()) {
    return Status::invalid_argument("doc_id " + std::to_string(doc_id) + " is out of range: the index's doc ids are " +
                                    "below " + std::to_string(doc_id_end()));
  }
  auto it = std::upper_bound(segments_.begin(), segments_.end(), doc_id,
                             [](std::uint64_t d, const std::shared_ptr<SegmentReader>& s) {
                               return d < s->info().base_doc_id;
                             });
  const SegmentReader* segment = (it - 1)->get();
  const auto local = static_cast<std::uint32_t>(doc_id - segment->info().base_doc_id);
  if (segment->doc_deleted(local)) {
    return Status::invalid_argument("doc_id " + std::to_string(doc_id) +
                                    " is a deleted chunk (its book was deleted or replaced)");
  }
  return std::make_pair(segment, local);
}

Result<ChunkLocation> IndexReader::chunk_info(std::uint64_t doc_id) const {
  auto where = locate(doc_id);
  if (!where.is_ok()) return where.status();
  const auto [segment, local] = where.value();
  const ChunkEntry c = segment->chunk(local);
  return ChunkLocation{std::string(segment->book_name(c.book)), c.chunk, c.start, c.end};
}

Result<std::string> IndexReader::text(std::uint64_t doc_id) const {
  auto where = locate(doc_id);
  if (!where.is_ok()) return where.status();
  const auto [segment, local] = where.value();
  return segment->text(local);
}

Status IndexReader::find_term(std::string_view term, std::vector<SegmentTerm>* found, std::uint64_t* df) const {
  FoundTerm t;
  if (Status s = find_exact(segments_, term, &t); !s.is_ok()) return s;
  *found = std::move(t.found);
  *df = t.df;
  return Status::ok();
}

Result<std::uint64_t> IndexReader::doc_freq(std::string_view term) const {
  std::vector<SegmentTerm> found;
  std::uint64_t df = 0;
  if (Status s = find_term(term, &found, &df); !s.is_ok()) return s;
  return df;
}

Status IndexReader::terms(std::string_view prefix, std::vector<std::pair<std::string, std::uint64_t>>* out) const {
  std::map<std::string, std::uint64_t, std::less<>> merged;
  Status s = for_each_prefix_term(segments_, prefix,
                                  [&](const SegmentReader&, std::string_view key, const TermEntry& entry) {
                                    auto it = merged.find(key);
                                    if (it == merged.end()) it = merged.emplace(std::string(key), 0).first;
                                    it->second += entry.live_count;
                                    return Status::ok();
                                  });
  if (!s.is_ok()) return s;
  out->assign(merged.begin(), merged.end());
  return Status::ok();
}

Status IndexReader::postings(std::string_view term, std::vector<std::uint32_t>* docs,
                             std::vector<std::uint32_t>* freqs) const {
  docs->clear();
  freqs->clear();
  std::vector<SegmentTerm> found;
  std::uint64_t df = 0;
  if (Status s = find_term(term, &found, &df); !s.is_ok()) return s;
  std::vector<std::uint32_t> d, f;
  for (const SegmentTerm& t : found) {
    if (Status s = t.segment->postings(t.entry, &d, &f); !s.is_ok()) return s;
    const auto base = static_cast<std::uint32_t>(t.segment->info().base_doc_id);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (t.segment->doc_deleted(d[i])) continue;
      docs->push_back(base + d[i]);
      freqs->push_back(f[i]);
    }
  }
  return Status::ok();
}

Status IndexReader::query_groups(std::string_view query, const SearchOptions& options,
                                 std::vector<std::vector<WeightedTerm>>* groups) const {
  groups->clear();
  const ParsedQuery parsed = parse_query(analyzer_, query);
  // Each query term stands for a group of indexed terms; a chunk scores, per
  // group, the best of the group's terms.
  std::vector<std::vector<FoundTerm>> found(parsed.terms.size() + parsed.prefixes.size());
  for (std::size_t i = 0; i < parsed.terms.size(); ++i) {
    Status s = options.fuzzy == 0
                   ? find_exact(segments_, parsed.terms[i], &found[i].emplace_back())
                   : expand_fuzzy(segments_, parsed.terms[i], options.fuzzy, options.transpositions, &found[i]);
    if (!s.is_ok()) return s;
  }
  for (std::size_t i = 0; i < parsed.prefixes.size(); ++i) {
    if (Status s = expand_prefix(segments_, parsed.prefixes[i], &found[parsed.terms.size() + i]); !s.is_ok()) {
      return s;
    }
  }
  for (std::vector<FoundTerm>& group : found) {
    std::vector<WeightedTerm> weighted;
    for (FoundTerm& term : group) {
      if (term.df == 0) continue;
      WeightedTerm t;
      t.weight = Bm25(num_docs(), static_cast<double>(term.df), manifest_.avgdl(), options.k1, options.b);
      t.found = std::move(term.found);
      weighted.push_back(std::move(t));
    }
    if (!weighted.empty()) groups->push_back(std::move(weighted));
  }
  return Status::ok();
}

Status IndexReader::search_segment(const SegmentReader& seg,
                                   const std::vector<std::vector<WeightedTerm>>& groups,
                                   QueryAlgorithm algorithm, TopK* top) const {
  std::vector<TermCursor> cursors;
  std::vector<std::uint32_t> group;
  cursors.reserve(16);
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    for (const WeightedTerm& term : groups[g]) {
      for (const SegmentTerm& t : term.found) {
        if (t.segment != &seg) continue;
        std::string_view docs, freqs;
        if (Status s = seg.regions(t.entry, &docs, &freqs); !s.is_ok()) return s;
        cursors.emplace_back(docs, freqs, t.entry.doc_count, seg.num_docs(), seg.doc_lengths(), term.weight);
        group.push_back(g);
      }
    }
  }
  if (cursors.empty()) return Status::ok();
  algorithm(cursors, group, static_cast<std::uint32_t>(seg.info().base_doc_id), top);
  for (const TermCursor& c : cursors) {
    if (!c.status().is_ok()) {
      return Status::corruption(seg.dir() + "/" + std::string(segment::kDocsFile) + ": " + c.status().message());
    }
  }
  return Status::ok();
}

Status IndexReader::search(std::string_view query, const SearchOptions& options, std::vector<Hit>* hits) const {
  hits->clear();
  if (options.fuzzy > fst::kMaxFuzzyDistance) {
    return Status::invalid_argument("fuzzy must be 0, 1 or 2, got " + std::to_string(options.fuzzy));
  }
  if (!(options.k1 >= 0) || !std::isfinite(options.k1) || !(options.b >= 0 && options.b <= 1)) {
    return Status::invalid_argument("k1 must be >= 0 and b within [0, 1]");
  }
  if (options.k == 0 || num_docs() == 0) return Status::ok();
  std::vector<std::vector<WeightedTerm>> groups;
  if (Status s = query_groups(query, options, &groups); !s.is_ok()) return s;
  if (groups.empty()) return Status::ok();
  const QueryAlgorithm algorithm = algorithm_function(options.algorithm);
  TopK top(options.k, num_docs());
  for (const auto& segment : segments_) {
    top.set_deleted(segment->deleted_doc_bits(), static_cast<std::uint32_t>(segment->info().base_doc_id));
    if (Status s = search_segment(*segment, groups, algorithm, &top); !s.is_ok()) return s;
  }
  *hits = top.take_sorted();
  return Status::ok();
}

Status IndexReader::search_with_locations(std::string_view query, const SearchOptions& options,
                                          std::vector<LocatedHit>* hits) const {
  hits->clear();
  std::vector<Hit> found;
  if (Status s = search(query, options, &found); !s.is_ok()) return s;
  hits->reserve(found.size());
  for (const Hit& h : found) {
    auto where = locate(h.doc_id);
    if (!where.is_ok()) return where.status();
    const auto [segment, local] = where.value();
    const ChunkEntry c = segment->chunk(local);
    hits->push_back(LocatedHit{h.doc_id, h.score, segment->book_name(c.book), c.chunk, c.start, c.end});
  }
  return Status::ok();
}

namespace {

// Moves stream to its next key with a live posting in segment (every key,
// without deletions): false at the end or on error (*status).
bool next_live_key(const SegmentReader& segment, fst::FstStream& stream, std::string_view* key, Status* status) {
  std::uint64_t ordinal = 0;
  while (stream.next(key, &ordinal)) {
    if (!segment.has_deletions()) return true;
    TermEntry entry;
    if (Status s = segment.term_entry(ordinal, &entry); !s.is_ok()) {
      *status = std::move(s);
      return false;
    }
    if (entry.live_count != 0) return true;
  }
  *status = stream.status();
  return false;
}

// Counts the distinct keys with a live posting of several term dictionaries
// by merging their streams in key order: a min-heap holds each unfinished
// stream's current key, and a key is counted when it differs from the last
// one popped.
Result<std::uint64_t> count_distinct_keys(const std::vector<std::shared_ptr<SegmentReader>>& segments) {
  struct Head {
    std::string_view key;  // the stream's current key, valid until its next()
    std::size_t stream;
  };
  const auto after = [](const Head& a, const Head& b) { return a.key > b.key; };
  std::vector<std::unique_ptr<fst::FstStream>> streams;
  std::vector<Head> heap;
  Status status;
  for (const auto& segment : segments) {
    streams.push_back(std::make_unique<fst::FstStream>(segment->terms(), fst::FstStream::Bounds{}));
    Head head{{}, streams.size() - 1};
    if (next_live_key(*segment, *streams.back(), &head.key, &status)) heap.push_back(head);
    if (!status.is_ok()) return status;
  }
  std::make_heap(heap.begin(), heap.end(), after);
  std::uint64_t count = 0;
  std::string last;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    Head& head = heap.back();
    if (count == 0 || head.key != last) {
      ++count;
      last.assign(head.key);
    }
    if (next_live_key(*segments[head.stream], *streams[head.stream], &head.key, &status)) {
      std::push_heap(heap.begin(), heap.end(), after);
    } else {
      if (!status.is_ok()) return status;
      heap.pop_back();
    }
  }
  return count;
}

}  // namespace

Result<std::uint64_t> IndexReader::distinct_terms() const {
  std::call_once(distinct_terms_once_, [this] {
    if (segments_.size() == 1 && !segments_.front()->has_deletions()) {
      distinct_terms_ = segments_.front()->terms().key_count();
      return;
    }
    Result<std::uint64_t> count = count_distinct_keys(segments_);
    if (count.is_ok()) {
      distinct_terms_ = count.value();
    } else {
      distinct_terms_status_ = count.status();
    }
  });
  if (!distinct_terms_status_.is_ok()) return distinct_terms_status_;
  return distinct_terms_;
}

Result<IndexStats> IndexReader::stats() const {
  const segment::Manifest& m = manifest_;
  IndexStats stats;
  for (const segment::SegmentInfo& s : m.segments) {
    stats.segment_terms_sum += s.num_terms;
    stats.bytes += s.bytes;
    stats.deleted_docs += s.deleted_docs;
  }
  Result<std::uint64_t> terms = distinct_terms();
  if (!terms.is_ok()) return terms.status();
  stats.terms = terms.value();
  stats.books = m.total_books;
  stats.chunks = m.total_docs;
  stats.segments = m.segments.size();
  stats.avgdl = m.avgdl();
  stats.total_length = m.total_length;
  stats.generation = m.generation;
  stats.store_text = m.settings.store_text;
  stats.stopwords_name = m.settings.stopwords_name;
  stats.stemmer = m.settings.stemmer;
  stats.chunk_size = m.settings.chunk_size;
  stats.chunk_overlap = m.settings.chunk_overlap;
  stats.unicode_version = m.unicode_version;
  return stats;
}

const BookDirectory& IndexReader::books() const {
  std::call_once(books_once_, [this] { books_ = std::make_unique<BookDirectory>(segments_); });
  return *books_;
}

Status IndexReader::verify() const {
  for (const auto& segment : segments_) {
    if (Status s = segment->verify(); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace tomes::search
