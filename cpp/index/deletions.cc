#include "index/deletions.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <iterator>
#include <mutex>

#include "postings/postings_reader.h"

namespace tomes::index {

namespace {

using segment::DeletionRecord;
using segment::SegmentInfo;
using segment::SegmentReader;
using segment::TermEntry;
using DeletedCounts = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// Terms counted per task: enough to amortise a task, few enough to balance.
constexpr std::uint32_t kTermsPerTask = 256;

// Half-open ranges of local docs, ascending and disjoint, adjacent ones
// joined.
struct DocRanges {
  std::vector<std::uint32_t> begin, end;
};

DocRanges doc_ranges(const SegmentReader& reader, const std::vector<std::uint32_t>& books) {
  DocRanges r;
  for (std::uint32_t book : books) {
    const std::uint32_t first = reader.first_chunk(book), end = reader.end_chunk(book);
    if (!r.end.empty() && r.end.back() == first) {
      r.end.back() = end;
    } else {
      r.begin.push_back(first);
      r.end.push_back(end);
    }
  }
  return r;
}

// The postings of one term in the ranges: the cursor leaps to each range it
// has not passed, and past ranges it has (binary search on their ends), so
// the work is about min(postings, ranges) steps.
Status count_term(const SegmentReader& reader, const TermEntry& e, const DocRanges& ranges, std::uint32_t* count) {
  std::string_view docs, freqs;
  if (Status s = reader.regions(e, &docs, &freqs); !s.is_ok()) return s;
  postings::PostingsCursor cursor(docs, freqs, e.doc_count, reader.num_docs());
  std::uint32_t n = 0;
  std::size_t r = 0;
  while (r < ranges.begin.size()) {
    cursor.next_geq(ranges.begin[r]);
    const std::uint32_t doc = cursor.doc();
    if (doc == postings::kNoDoc) break;
    if (doc < ranges.end[r]) {
      ++n;
      cursor.next();
      continue;  // the same range, from the next posting (next_geq is a no-op then)
    }
    // Past range r: the first range that ends after doc.
    r = static_cast<std::size_t>(std::upper_bound(ranges.end.begin() + static_cast<std::ptrdiff_t>(r),
                                                  ranges.end.end(), doc) -
                                 ranges.end.begin());
  }
  if (!cursor.status().is_ok()) {
    return Status::corruption(reader.dir() + ": postings: " + cursor.status().message());
  }
  *count = n;
  return Status::ok();
}

// The first error of the lowest term, whichever thread found it.
class FirstError {
 public:
  void set(std::uint64_t ordinal, Status s) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_.is_ok() || ordinal < ordinal_) {
      status_ = std::move(s);
      ordinal_ = ordinal;
    }
  }
  Status take() { return std::move(status_); }

 private:
  std::mutex mutex_;
  Status status_;
  std::uint64_t ordinal_ = 0;
};

// new_books must be ascending, unique, in range and not yet deleted.
Status check_new_books(const SegmentReader& reader, const std::vector<std::uint32_t>& books) {
  for (std::size_t i = 0; i < books.size(); ++i) {
    const std::uint32_t b = books[i];
    if (b >= reader.num_books() || (i > 0 && b <= books[i - 1]) || reader.book_deleted(b)) {
      return Status::invalid_argument(reader.dir() + ": book " + std::to_string(b) + " at position " +
                                      std::to_string(i) +
                                      " cannot be deleted: the books must be ascending, below " +
                                      std::to_string(reader.num_books()) + " and not deleted already");
    }
  }
  return Status::ok();
}

// The old and new (ordinal, count) lists, added up per ordinal.
DeletedCounts add_counts(const DeletedCounts& a, const DeletedCounts& b) {
  DeletedCounts out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.push_back(b[j++]);
    } else {
      out.emplace_back(a[i].first, a[i].second + b[j].second);
      ++i, ++j;
    }
  }
  return out;
}

// The cumulative record of segment `reader` with `books` deleted too.
Result<DeletionRecord> cumulative_record(const SegmentReader& reader, const std::vector<std::uint32_t>& books,
                                         tbb::task_arena& arena) {
  Result<DeletedCounts> counts = count_deleted_postings(reader, books, arena);
  if (!counts.is_ok()) return counts.status();
  const DeletionRecord& old = reader.deletions();
  DeletionRecord r;
  std::merge(old.books.begin(), old.books.end(), books.begin(), books.end(), std::back_inserter(r.books));
  r.deleted_postings = add_counts(old.deleted_postings, counts.value());
  return r;
}

// Writes segment info's new deletes file and updates info's deletion fields.
Status write_record(const std::string& index_dir, const SegmentReader& reader, const DeletionRecord& r,
                    std::uint64_t generation, SegmentInfo* info) {
  segment::FileRecord file;
  const std::string name = segment::deletes_file_name(generation);
  if (Status s = segment::write_deletes_file(index_dir + "/" + info->name, name, r, &file); !s.is_ok()) return s;
  std::uint64_t docs = 0, length = 0;
  for (std::uint32_t book : r.books) {
    for (std::uint32_t d = reader.first_chunk(book); d < reader.end_chunk(book); ++d) length += reader.doc_lengths()[d];
    docs += reader.end_chunk(book) - reader.first_chunk(book);
  }
  info->bytes = info->bytes - info->deletes_bytes + file.bytes;
  info->deletes = name;
  info->deletes_bytes = file.bytes;
  info->deletes_crc32 = file.crc;
  info->deleted_books = r.books.size();
  info->deleted_docs = docs;
  info->deleted_length = length;
  return Status::ok();
}

}  // namespace

Result<DeletedCounts> count_deleted_postings(const SegmentReader& reader, const std::vector<std::uint32_t>& books,
                                             tbb::task_arena& arena) {
  const DocRanges ranges = doc_ranges(reader, books);
  const std::uint32_t num_terms = static_cast<std::uint32_t>(reader.info().num_terms);
  std::vector<std::uint32_t> counts(num_terms, 0);
  FirstError error;
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, num_terms, kTermsPerTask),
                      [&](const tbb::blocked_range<std::uint32_t>& terms) {
                        for (std::uint32_t o = terms.begin(); o < terms.end(); ++o) {
                          TermEntry e;
                          Status s = reader.term_entry(o, &e);
                          if (s.is_ok()) s = count_term(reader, e, ranges, &counts[o]);
                          if (!s.is_ok()) return error.set(o, std::move(s));
                        }
                      });
  });
  if (Status s = error.take(); !s.is_ok()) return s;
  DeletedCounts out;
  for (std::uint32_t o = 0; o < num_terms; ++o) {
    if (counts[o] != 0) out.emplace_back(o, counts[o]);
  }
  return out;
}

Status apply_deletions(const std::string& index_dir, const std::vector<std::shared_ptr<SegmentReader>>& readers,
                       const std::vector<std::vector<std::uint32_t>>& new_books, std::uint64_t generation,
                       segment::Manifest* manifest, tbb::task_arena& arena) {
  std::vector<SegmentInfo>& segments = manifest->segments;
  if (readers.size() != segments.size() || new_books.size() != segments.size()) {
    return Status::invalid_argument("apply_deletions: " + std::to_string(readers.size()) + " readers and " +
                                    std::to_string(new_books.size()) + " book lists for " +
                                    std::to_string(segments.size()) + " segments");
  }
  std::vector<bool> dropped(segments.size(), false);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (new_books[i].empty()) continue;
    const SegmentReader& reader = *readers[i];
    if (reader.info().name != segments[i].name || reader.info().deletes != segments[i].deletes) {
      return Status::invalid_argument("apply_deletions: reader " + std::to_string(i) + " (" + reader.info().name +
                                      ") is not open on segment " + segments[i].name + " as the manifest has it");
    }
    if (Status s = check_new_books(reader, new_books[i]); !s.is_ok()) return s;
    if (reader.deletions().books.size() + new_books[i].size() == reader.num_books()) {
      dropped[i] = true;  // no live book left: no file, the segment leaves the manifest
      continue;
    }
    Result<DeletionRecord> record = cumulative_record(reader, new_books[i], arena);
    if (!record.is_ok()) return record.status();
    if (Status s = write_record(index_dir, reader, record.value(), generation, &segments[i]); !s.is_ok()) return s;
  }
  std::vector<SegmentInfo> kept;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move(segments[i]));
  }
  segments = std::move(kept);
  manifest->recount();
  return Status::ok();
}

}  // namespace tomes::index
