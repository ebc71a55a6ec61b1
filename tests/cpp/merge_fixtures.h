// merge_fixtures.h: what the merge tests share (test_segment_merger.cc,
// test_merge_deletions.cc): random corpora and settings, one-batch builds
// (the oracle), byte-for-byte segment comparison, copying a subset of books
// with their mtimes, search answers to compare before and after, and
// deleting books as the writer session does (apply_deletions, then commit).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "check.h"
#include "temp_files.h"
#include "common/file_system.h"
#include "index/deletions.h"
#include "index/index_files.h"
#include "index/index_lock.h"
#include "index/optimize.h"
#include "index/pipeline.h"
#include "search/index_reader.h"
#include "segment/manifest.h"
#include "segment/segment_meta.h"
#include "segment/segment_reader.h"

namespace tomes::test::merge {

using tomes::test::temp_dir;
using tomes::test::write_file;


inline const char* kWords[] = {"whale", "ship", "sea", "captain", "Ahab", "naïve", "Straße", "ΣΊΣΥΦΟΣ", "42", "ﬁre",
                        "the", "of", "fish", "fishes", "running", "runs", "ocean", "oceans"};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A random corpus: books of random words (some long enough for several text
// blocks and postings blocks), exact duplicates of earlier books, an empty
// book and a binary file (both skipped).
inline void write_corpus(const std::string& dir, std::mt19937& rng) {
  CHECK(make_directories(dir + "/sub").is_ok());
  const int books = 3 + static_cast<int>(rng() % 25);
  std::vector<std::string> texts;
  for (int b = 0; b < books; ++b) {
    std::string text;
    const int words = rng() % 10 == 0 ? 20000 + static_cast<int>(rng() % 20000) : static_cast<int>(rng() % 400);
    for (int w = 0; w < words; ++w) {
      text += kWords[rng() % (sizeof kWords / sizeof *kWords)];
      if (rng() % 3 == 0) text += std::to_string(rng() % 50);  // a vocabulary that differs by segment
      text += (rng() % 7 == 0) ? "\n\n" : (rng() % 5 == 0 ? ", " : " ");
    }
    if (b > 0 && rng() % 6 == 0) text = texts[rng() % texts.size()];  // a duplicate
    texts.push_back(text);
    write_file(dir + "/" + (b % 3 == 0 ? "sub/" : "") + "book" + std::to_string(b) + ".txt", text);
  }
  write_file(dir + "/empty.txt", "");
  static const char kBinary[] = "\x00\x01\x02\xff\x00 binary";
  write_file(dir + "/sub/binary.txt", std::string(kBinary, sizeof kBinary - 1));
}

struct Settings {
  std::uint32_t chunk_size = 150, overlap = 20;
  bool stopwords = false, stem = false, store_text = true;
};

inline Settings random_settings(std::mt19937& rng) {
  Settings s;
  s.chunk_size = 20 + rng() % 300;
  s.overlap = rng() % (s.chunk_size / 2);
  s.stopwords = rng() % 2;
  s.stem = rng() % 2;
  s.store_text = rng() % 3 != 0;
  return s;
}

inline void build(const std::string& books, const std::string& ix, const Settings& s, std::uint32_t batch_size) {
  index::IndexOptions o;
  o.parse.chunk_size = s.chunk_size;
  o.parse.chunk_overlap = s.overlap;
  o.parse.store_text = s.store_text;
  if (s.stopwords) {
    o.stopwords_name = "custom";
    o.stopwords = {"of", "the"};
  }
  if (s.stem) o.stemmer = "english";
  o.batch_size = batch_size;
  o.threads = 2;
  o.overwrite = true;
  Result<index::IndexReport> r = index::index_corpus(books, ix, o, nullptr);
  CHECK(r.is_ok());
}

inline segment::Manifest manifest(const std::string& ix) {
  Result<segment::Manifest> m = segment::read_manifest(ix);
  CHECK(m.is_ok());
  return m.value();
}

// Every file of a segment directory, by name.
inline std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  Result<std::vector<std::string>> names = list_directory(dir);
  CHECK(names.is_ok());
  for (const std::string& name : names.value()) files[name] = read_bytes(dir + "/" + name);
  return files;
}

// Segment dirs a and b hold the same files, byte for byte (meta.json
// included: a segment does not record where index.json places it).
inline void check_same_segment(const std::string& a, const std::string& b) {
  std::map<std::string, std::string> fa = files_of(a), fb = files_of(b);
  CHECK_EQ(fa.size(), fb.size());
  for (const auto& [name, bytes] : fa) {
    CHECK(fb.count(name) == 1);
    if (bytes != fb[name]) std::fprintf(stderr, "differs: %s\n", name.c_str());
    CHECK(bytes == fb[name]);
  }
  auto ma = segment::read_segment_meta_files(a + "/meta.json"), mb = segment::read_segment_meta_files(b + "/meta.json");
  CHECK(ma.is_ok() && mb.is_ok());
  CHECK_EQ(ma.value().size(), mb.value().size());
  for (std::size_t i = 0; i < ma.value().size() && i < mb.value().size(); ++i) {
    CHECK_EQ(ma.value()[i].name, mb.value()[i].name);
    CHECK_EQ(ma.value()[i].bytes, mb.value()[i].bytes);
    CHECK_EQ(ma.value()[i].crc, mb.value()[i].crc);
  }
}

inline index::OptimizeOptions optimize_options(std::uint64_t max_segments, unsigned threads, std::uint64_t group) {
  index::OptimizeOptions o;
  o.max_segments = max_segments;
  o.threads = threads;
  o.postings_per_group = group;
  return o;
}

inline std::vector<std::string> queries() {
  std::vector<std::string> q;
  for (const char* w : kWords) q.push_back(w);
  q.push_back("whale ship sea");
  q.push_back("captain Ahab 7");
  q.push_back("fish 12 13 14");
  return q;
}

inline std::vector<std::vector<search::Hit>> search_all(const std::string& ix) {
  Result<std::shared_ptr<search::IndexReader>> reader = search::IndexReader::open(ix);
  CHECK(reader.is_ok());
  std::vector<std::vector<search::Hit>> all;
  search::SearchOptions so;
  so.k = 50;
  for (const std::string& q : queries()) {
    std::vector<search::Hit> hits;
    CHECK(reader.value()->search(q, so, &hits).is_ok());
    all.push_back(hits);
  }
  return all;
}

inline void check_same_hits(const std::vector<std::vector<search::Hit>>& a, const std::vector<std::vector<search::Hit>>& b) {
  CHECK_EQ(a.size(), b.size());
  for (std::size_t q = 0; q < a.size() && q < b.size(); ++q) {
    CHECK_EQ(a[q].size(), b[q].size());
    for (std::size_t i = 0; i < a[q].size() && i < b[q].size(); ++i) {
      CHECK_EQ(a[q][i].doc_id, b[q][i].doc_id);
      CHECK(a[q][i].score == b[q][i].score);
    }
  }
}

// Copies the books whose ids are `ids` from books into dir, same paths.
inline void copy_books(const std::string& books, const std::vector<std::string>& ids, const std::string& dir) {
  CHECK(make_directories(dir).is_ok());
  for (const std::string& id : ids) {
    const std::size_t slash = id.rfind('/');
    if (slash != std::string::npos) CHECK(make_directories(dir + "/" + id.substr(0, slash)).is_ok());
    write_file(dir + "/" + id, read_bytes(books + "/" + id));
    // books.bin records each source's mtime: the copy keeps it.
    struct stat st;
    CHECK(::stat((books + "/" + id).c_str(), &st) == 0);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    CHECK(::utimensat(AT_FDCWD, (dir + "/" + id).c_str(), times, 0) == 0);
  }
}

inline std::vector<std::string> book_ids(const std::string& segment_dir, const segment::SegmentInfo& info, bool store_text) {
  auto reader = segment::SegmentReader::open(segment_dir, info, store_text);
  CHECK(reader.is_ok());
  std::vector<std::string> ids;
  for (std::uint32_t b = 0; b < reader.value()->num_books(); ++b) ids.emplace_back(reader.value()->book_name(b));
  return ids;
}

using Readers = std::vector<std::shared_ptr<segment::SegmentReader>>;
using Dropped = std::vector<std::vector<std::uint32_t>>;

inline Readers open_segments(const std::string& ix, const segment::Manifest& m, std::size_t begin, std::size_t end) {
  Readers readers;
  for (std::size_t i = begin; i < end; ++i) {
    auto r = segment::SegmentReader::open(ix + "/" + m.segments[i].name, m.segments[i], m.settings.store_text);
    CHECK(r.is_ok());
    readers.push_back(r.value());
  }
  return readers;
}

// Deletes the books named in `ids` (those not deleted yet) as one commit,
// the way the writer session does: apply_deletions, then index.json.
inline void delete_books(const std::string& ix, const std::set<std::string>& ids) {
  Result<index::IndexLock> lock = index::IndexLock::acquire(ix);
  CHECK(lock.is_ok());
  segment::Manifest m = manifest(ix);
  const Readers readers = open_segments(ix, m, 0, m.segments.size());
  Dropped books(readers.size());
  for (std::size_t i = 0; i < readers.size(); ++i) {
    for (std::uint32_t b = 0; b < readers[i]->num_books(); ++b) {
      if (ids.count(std::string(readers[i]->book_name(b))) && !readers[i]->book_deleted(b)) books[i].push_back(b);
    }
  }
  const std::uint64_t generation = index::next_generation(ix, m.generation).value();
  tbb::task_arena arena(2);
  CHECK(index::apply_deletions(ix, readers, books, generation, &m, arena).is_ok());
  m.generation = generation;
  CHECK(segment::write_manifest(ix, m).is_ok());
}

// The live books of segments [begin, end) of ix, in doc order.
inline std::vector<std::string> live_ids(const std::string& ix, std::size_t begin, std::size_t end) {
  const segment::Manifest m = manifest(ix);
  std::vector<std::string> ids;
  for (const auto& reader : open_segments(ix, m, begin, std::min(end, m.segments.size()))) {
    for (std::uint32_t b = 0; b < reader->num_books(); ++b) {
      if (!reader->book_deleted(b)) ids.emplace_back(reader->book_name(b));
    }
  }
  return ids;
}

// Every book id of the corpus under books/ that ix indexed, with a random
// share of them (never all) picked for deletion.
inline std::set<std::string> pick_deletions(const std::string& ix, std::mt19937& rng) {
  const std::vector<std::string> ids = live_ids(ix, 0, SIZE_MAX);
  const unsigned percent = 5 + rng() % 80;
  std::set<std::string> picked;
  for (const std::string& id : ids) {
    if (rng() % 100 < percent) picked.insert(id);
  }
  if (picked.size() == ids.size()) picked.erase(ids[rng() % ids.size()]);
  return picked;
}

// Search answers by book and chunk (doc ids move when a merge drops
// chunks), with the exact scores.
using Answer = std::vector<std::tuple<double, std::string, std::uint32_t>>;

inline std::vector<Answer> located_answers(const std::string& ix) {
  Result<std::shared_ptr<search::IndexReader>> reader = search::IndexReader::open(ix);
  CHECK(reader.is_ok());
  search::SearchOptions so;
  so.k = 40;
  std::vector<Answer> all;
  for (const std::string& q : queries()) {
    std::vector<search::LocatedHit> hits;
    CHECK(reader.value()->search_with_locations(q, so, &hits).is_ok());
    Answer answer;
    for (const auto& h : hits) answer.emplace_back(h.score, std::string(h.book_id), h.chunk);
    all.push_back(answer);
  }
  return all;
}

}  // namespace tomes::test::merge
