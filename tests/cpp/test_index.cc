// test_index.cc: the pipeline, segment writer and readers in C++ alone:
// books in a temporary directory -> index_corpus -> IndexReader, checked
// against a brute-force inversion of the stored chunk texts (analyzed by the
// analyzer, whose own suite checks it against Python's reference) and an
// exhaustive BM25 written out here; JSON and footers round trip; damage is
// Corruption.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "analysis/unicode_tables.h"
#include "check.h"
#include "temp_files.h"
#include "common/file_footer.h"
#include "common/file_system.h"
#include "common/json.h"
#include "index/index_files.h"
#include "index/pipeline.h"
#include "search/index_reader.h"
#include "segment/manifest.h"

using namespace tomes;
using tomes::test::temp_dir;
using tomes::test::write_file;

namespace {

const char* kWords[] = {"whale", "ship", "sea", "captain", "Ahab", "naïve", "Straße", "ΣΊΣΥΦΟΣ", "42", "ﬁre",
                        "the", "of", "fish", "fishes"};

std::map<std::string, std::string> write_corpus(const std::string& dir, int books, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::map<std::string, std::string> texts;
  CHECK(make_directories(dir + "/sub").is_ok());
  for (int b = 0; b < books; ++b) {
    std::string text;
    const int words = static_cast<int>(rng() % 300);
    for (int w = 0; w < words; ++w) {
      text += kWords[rng() % (sizeof kWords / sizeof *kWords)];
      text += (rng() % 7 == 0) ? "\n\n" : (rng() % 5 == 0 ? ", " : " ");
    }
    const std::string rel = (b % 3 == 0 ? "sub/" : "") + std::string("book") + std::to_string(b) + ".txt";
    write_file(dir + "/" + rel, text);
    texts[rel] = text;
  }
  return texts;
}

index::IndexOptions options(unsigned threads) {
  index::IndexOptions o;
  o.parse.chunk_size = 150;
  o.parse.chunk_overlap = 20;
  o.batch_size = 5;
  o.threads = threads;
  return o;
}

}  // namespace

TEST_CASE("json_round_trips_and_checksums") {
  Json root = Json::object();
  root.set("name", Json("a \"quoted\"\n\tname é"));
  root.set("big", Json(std::uint64_t{1} << 62));
  root.set("neg", Json(std::int64_t{-5}));
  root.set("avg", Json(1.0 / 3.0));
  Json list = Json::array();
  list.push_back(Json());
  list.push_back(Json(true));
  root.set("list", std::move(list));
  const std::string text = dump_with_checksum(root);
  Result<Json> parsed = Json::parse(text, "<test>");
  CHECK(parsed.is_ok());
  CHECK(check_checksum(text, parsed.value(), "<test>").is_ok());
  CHECK_EQ(parsed.value().find("name")->as_string(), std::string("a \"quoted\"\n\tname é"));
  CHECK_EQ(parsed.value().find("big")->as_int(), std::int64_t{1} << 62);
  CHECK_EQ(parsed.value().find("avg")->as_double(), 1.0 / 3.0);
  // Any one-byte change is caught (by the parser or by the checksum).
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string damaged = text;
    damaged[i] ^= 0x01;
    Result<Json> p = Json::parse(damaged, "<test>");
    CHECK(!p.is_ok() || !check_checksum(damaged, p.value(), "<test>").is_ok());
  }
  // Deep nesting and garbage are errors, not crashes.
  CHECK(!Json::parse(std::string(100000, '['), "<deep>").is_ok());
  CHECK(!Json::parse("{\"a\": 1,}", "<x>").is_ok());
  CHECK(!Json::parse("\"\\ud800", "<x>").is_ok());
}

TEST_CASE("footer_detects_each_kind_of_damage") {
  std::string file = "some body bytes";
  append_footer(&file, "tmsTEST", 1);
  CHECK(check_footer(file, "tmsTEST", 1, true, "f").is_ok());
  CHECK_EQ(check_footer(file, "tmsTEST", 1, true, "f").value(), std::string_view("some body bytes"));
  CHECK(!check_footer(file, "tmsOTHR", 1, true, "f").is_ok());
  CHECK(!check_footer(file, "tmsTEST", 2, true, "f").is_ok());
  CHECK(!check_footer(file.substr(0, 10), "tmsTEST", 1, true, "f").is_ok());
  std::string flipped = file;
  flipped[3] ^= 4;
  CHECK(!check_footer(flipped, "tmsTEST", 1, true, "f").is_ok());
  CHECK(check_footer(flipped, "tmsTEST", 1, false, "f").is_ok());
}

TEST_CASE("postings_and_search_equal_brute_force") {
  const std::string dir = temp_dir("index");
  const auto texts = write_corpus(dir + "/books", 23, 7);
  Result<index::IndexReport> report = index::index_corpus(dir + "/books", dir + "/ix", options(2), nullptr);
  CHECK(report.is_ok());
  if (!report.is_ok()) {
    std::fprintf(stderr, "%s\n", report.status().message().c_str());
    return;
  }
  Result<std::shared_ptr<search::IndexReader>> opened = search::IndexReader::open(dir + "/ix");
  CHECK(opened.is_ok());
  const search::IndexReader& ix = *opened.value();
  CHECK_EQ(std::uint64_t{ix.num_docs()}, report.value().chunks);
  CHECK(ix.segments().size() >= 4);
  // Brute force: every chunk's stored text, analyzed.
  std::vector<std::map<std::string, std::uint32_t>> tf(ix.num_docs());
  std::vector<double> dl(ix.num_docs());
  std::map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>> inverted;
  std::string previous_book;
  for (std::uint32_t d = 0; d < ix.num_docs(); ++d) {
    Result<std::string> text = ix.text(d);
    CHECK(text.is_ok());
    const search::ChunkLocation where = ix.chunk_info(d).value();
    CHECK(texts.count(where.book_id) == 1);
    CHECK(where.book_id >= previous_book);
    previous_book = where.book_id;
    analysis::TermList terms;
    analysis::analyze(ix.analyzer(), text.value(), &terms);
    CHECK(terms.size() > 0);
    dl[d] = static_cast<double>(terms.size());
    for (std::size_t i = 0; i < terms.size(); ++i) ++tf[d][std::string(terms[i])];
    for (const auto& [term, n] : tf[d]) inverted[term].push_back({d, n});
  }
  std::vector<std::pair<std::string, std::uint64_t>> listed;
  CHECK(ix.terms("", &listed).is_ok());
  CHECK_EQ(listed.size(), inverted.size());
  for (const auto& [term, want] : inverted) {
    std::vector<std::uint32_t> docs, freqs;
    CHECK(ix.postings(term, &docs, &freqs).is_ok());
    CHECK_EQ(docs.size(), want.size());
    for (std::size_t i = 0; i < want.size() && i < docs.size(); ++i) {
      CHECK_EQ(docs[i], want[i].first);
      CHECK_EQ(freqs[i], want[i].second);
    }
  }
  // Exhaustive BM25, written out.
  double avgdl = 0;
  for (double x : dl) avgdl += x;
  avgdl /= ix.num_docs();
  const double n = ix.num_docs(), k1 = 1.2, b = 0.6;
  for (const char* query : {"whale", "ship sea", "fishes captain whale", "naive strasse", "nothing"}) {
    analysis::TermList q;
    analysis::analyze(ix.analyzer(), query, &q);
    std::set<std::string> distinct;
    for (std::size_t i = 0; i < q.size(); ++i) distinct.insert(std::string(q[i]));
    std::vector<std::pair<double, std::uint32_t>> expected;
    for (std::uint32_t d = 0; d < ix.num_docs(); ++d) {
      double score = 0;
      for (const std::string& t : distinct) {
        auto it = tf[d].find(t);
        if (it == tf[d].end()) continue;
        const double df = static_cast<double>(inverted[t].size());
        const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
        score += idf * it->second / (it->second + k1 * (1 - b + b * dl[d] / avgdl));
      }
      if (score > 0) expected.push_back({-score, d});
    }
    std::sort(expected.begin(), expected.end());
    search::SearchOptions so;
    so.k = 7;
    so.k1 = k1;
    so.b = b;
    std::vector<search::Hit> hits;
    CHECK(ix.search(query, so, &hits).is_ok());
    CHECK_EQ(hits.size(), std::min<std::size_t>(7, expected.size()));
    for (std::size_t i = 0; i < hits.size() && i < expected.size(); ++i) {
      CHECK(std::abs(hits[i].score + expected[i].first) < 1e-9);
    }
  }
  CHECK(ix.verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("thread_count_does_not_change_a_byte") {
  const std::string dir = temp_dir("index");
  write_corpus(dir + "/books", 17, 11);
  std::map<std::string, std::string> first;
  // Thread counts, and writer passes of 100 postings (many passes per
  // segment) against the default (one pass): the same bytes.
  for (unsigned threads : {1u, 2u, 4u, 3u}) {
    const std::string out = dir + "/ix" + std::to_string(threads);
    index::IndexOptions o = options(threads);
    if (threads == 3) o.postings_per_pass = 100;
    CHECK(index::index_corpus(dir + "/books", out, o, nullptr).is_ok());
    std::map<std::string, std::string> files;
    const std::vector<std::string> names = list_directory(out).value();
    for (const std::string& name : names) {
      if (name.rfind("segment_", 0) != 0) {
        if (name == "index.json") files[name] = read_small_file(out + "/" + name, 1 << 20).value();
        continue;
      }
      const std::vector<std::string> segment_files = list_directory(out + "/" + name).value();
      for (const std::string& f : segment_files) {
        files[name + "/" + f] = read_small_file(out + "/" + name + "/" + f, 1 << 26).value();
      }
    }
    if (first.empty()) first = files;
    CHECK(files == first);
  }
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("damaged_files_are_corruption_on_open_or_verify") {
  const std::string dir = temp_dir("index");
  write_corpus(dir + "/books", 6, 3);
  CHECK(index::index_corpus(dir + "/books", dir + "/ix", options(1), nullptr).is_ok());
  std::string segment;
  const std::vector<std::string> index_files = list_directory(dir + "/ix").value();
  for (const std::string& name : index_files) {
    if (name.rfind("segment_", 0) == 0) segment = dir + "/ix/" + name;
  }
  std::mt19937 rng(5);
  const std::vector<std::string> segment_files = list_directory(segment).value();
  for (const std::string& name : segment_files) {
    const std::string path = segment + "/" + name;
    const std::string original = read_small_file(path, 1 << 26).value();
    for (int trial = 0; trial < 20; ++trial) {
      std::string damaged = original;
      if (trial % 4 == 0) {
        damaged.resize(rng() % original.size());
      } else {
        damaged[rng() % damaged.size()] ^= static_cast<char>(1 << (rng() % 8));
      }
      write_file(path, damaged);
      Result<std::shared_ptr<search::IndexReader>> ix = search::IndexReader::open(dir + "/ix");
      if (ix.is_ok()) {
        const Status s = ix.value()->verify();
        CHECK(s.code() == Status::Code::kCorruption);
        CHECK(s.message().find(name) != std::string::npos);
        std::vector<search::Hit> hits;
        const Status searched = ix.value()->search("whale ship", search::SearchOptions{}, &hits);
        CHECK(searched.is_ok() || searched.code() == Status::Code::kCorruption);
      } else {
        CHECK(ix.status().code() == Status::Code::kCorruption);
      }
    }
    write_file(path, original);
  }
  CHECK(search::IndexReader::open(dir + "/ix").value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("stats_and_located_hits_equal_independent_sums_and_chunk_info") {
  const std::string dir = temp_dir("index");
  write_corpus(dir + "/books", 14, 13);
  index::IndexOptions o = options(2);
  o.stemmer = "english";
  o.stopwords_name = "custom";
  o.stopwords = std::vector<std::string>{"of", "the"};
  CHECK(index::index_corpus(dir + "/books", dir + "/ix", o, nullptr).is_ok());
  Result<std::shared_ptr<search::IndexReader>> opened = search::IndexReader::open(dir + "/ix");
  CHECK(opened.is_ok());
  if (!opened.is_ok()) return;
  const search::IndexReader& ix = *opened.value();
  CHECK(ix.segments().size() >= 2);

  // Stats against what the files on disk and the chunks themselves say.
  const Result<segment::Manifest> manifest = segment::read_manifest(dir + "/ix");
  CHECK(manifest.is_ok());
  std::uint64_t terms = 0, bytes = 0;
  std::set<std::string> distinct;  // the oracle of the heap merge in distinct_terms()
  for (const auto& segment : ix.segments()) {
    terms += segment->terms().key_count();
    fst::FstStream stream(segment->terms(), fst::FstStream::Bounds{});
    std::string_view key;
    std::uint64_t value;
    while (stream.next(&key, &value)) distinct.insert(std::string(key));
    CHECK(stream.status().is_ok());
    const std::vector<std::string> names = list_directory(segment->dir()).value();
    for (const std::string& name : names) {
      bytes += file_size(segment->dir() + "/" + name).value();
    }
  }
  std::set<std::string> books;
  std::uint64_t total_length = 0;
  for (std::uint32_t d = 0; d < ix.num_docs(); ++d) {
    books.insert(ix.chunk_info(d).value().book_id);
    analysis::TermList chunk_terms;
    analysis::analyze(ix.analyzer(), ix.text(d).value(), &chunk_terms);
    total_length += chunk_terms.size();
  }
  const Result<search::IndexStats> stats_or = ix.stats();
  CHECK(stats_or.is_ok());
  if (!stats_or.is_ok()) return;
  const search::IndexStats& stats = stats_or.value();
  CHECK_EQ(stats.books, std::uint64_t{books.size()});
  CHECK_EQ(stats.chunks, std::uint64_t{ix.num_docs()});
  CHECK_EQ(stats.segment_terms_sum, terms);
  CHECK_EQ(stats.terms, std::uint64_t{distinct.size()});
  CHECK(stats.terms < stats.segment_terms_sum);  // the corpus shares terms across segments
  CHECK_EQ(stats.segments, std::uint64_t{ix.segments().size()});
  CHECK_EQ(stats.total_length, total_length);
  CHECK_EQ(stats.avgdl, static_cast<double>(total_length) / ix.num_docs());
  CHECK_EQ(stats.bytes, bytes);
  CHECK_EQ(stats.generation, manifest.value().generation);
  CHECK(stats.store_text);
  CHECK_EQ(stats.stopwords_name, std::string("custom"));
  CHECK_EQ(stats.stemmer, std::string("english"));
  CHECK_EQ(stats.chunk_size, 150u);
  CHECK_EQ(stats.chunk_overlap, 20u);
  CHECK_EQ(stats.unicode_version, std::string(analysis::unicode::kUnicodeVersion));

  // Located hits: search()'s hits, in order, each with its chunk_info().
  for (const char* query : {"whale", "ship sea", "fish* captain", "whalr", "nothing", ""}) {
    for (unsigned fuzzy : {0u, 1u}) {
      search::SearchOptions so;
      so.k = 9;
      so.fuzzy = fuzzy;
      std::vector<search::Hit> hits;
      std::vector<search::LocatedHit> located;
      CHECK(ix.search(query, so, &hits).is_ok());
      CHECK(ix.search_with_locations(query, so, &located).is_ok());
      CHECK_EQ(located.size(), hits.size());
      for (std::size_t i = 0; i < hits.size() && i < located.size(); ++i) {
        CHECK_EQ(located[i].doc_id, hits[i].doc_id);
        CHECK_EQ(located[i].score, hits[i].score);
        const search::ChunkLocation where = ix.chunk_info(hits[i].doc_id).value();
        CHECK_EQ(located[i].book_id, where.book_id);
        CHECK_EQ(located[i].chunk, where.chunk);
        CHECK_EQ(located[i].start, where.start);
        CHECK_EQ(located[i].end, where.end);
      }
    }
  }
  // Errors are search()'s.
  search::SearchOptions bad;
  bad.fuzzy = 3;
  std::vector<search::LocatedHit> none(1);
  CHECK(ix.search_with_locations("whale", bad, &none).code() == Status::Code::kInvalidArgument);
  CHECK(none.empty());
}

TEST_CASE("segment_names_parse_back_and_nothing_else_does") {
  std::uint64_t generation = 0;
  CHECK_EQ(index::segment_name(3, 12), std::string("segment_000003_000012"));
  CHECK(index::parse_segment_name("segment_000003_000012", &generation));
  CHECK_EQ(generation, std::uint64_t{3});
  CHECK(index::parse_segment_name(index::segment_name(1234567, 0), &generation));
  CHECK_EQ(generation, std::uint64_t{1234567});
  for (const char* other : {"segment_3_12", "segment_000003_000012x", "segment_000003", ".tmp-segment_000003_000012",
                            "segment_+00003_000012", "index.json"}) {
    CHECK(!index::parse_segment_name(other, &generation));
  }
  CHECK_EQ(index::temporary_segment_name("segment_000003_000012"), std::string(".tmp-segment_000003_000012"));
}

namespace {

// The index directory's entries and index.json's bytes: what a cancelled
// run must leave exactly as it found them.
std::pair<std::vector<std::string>, std::string> index_state(const std::string& ix) {
  std::vector<std::string> names = list_directory(ix).value();
  std::sort(names.begin(), names.end());
  Result<std::string> manifest = read_small_file(ix + "/index.json", 1 << 26);
  return {names, manifest.is_ok() ? manifest.value() : std::string()};
}

}  // namespace

TEST_CASE("a_progress_fn_returning_false_cancels_and_changes_nothing") {
  const std::string dir = temp_dir("index");
  write_corpus(dir + "/books", 23, 11);
  const std::string ix = dir + "/ix";
  CHECK(index::index_corpus(dir + "/books", ix, options(1), nullptr).is_ok());
  const auto before = index_state(ix);
  // Cancelled after the first batch (5 books): one segment written, the
  // second begun, with its text in its temporary directory.
  for (bool store_text : {true, false}) {
    index::IndexOptions o = options(1);
    o.overwrite = true;
    o.parse.store_text = store_text;
    int calls = 0;
    Result<index::IndexReport> report = index::index_corpus(
        dir + "/books", ix, o, [&](std::uint64_t books_done, std::uint64_t, std::uint64_t, std::uint64_t) {
          ++calls;
          return books_done < 6;
        });
    CHECK(!report.is_ok());
    CHECK(report.status().code() == Status::Code::kCancelled);
    CHECK_EQ(report.status().message(), std::string("indexing was cancelled; the index is unchanged"));
    CHECK(calls >= 2);
    CHECK(index_state(ix) == before);
  }
  // Into a directory with no index: nothing but the lock is left.
  index::IndexOptions o = options(1);
  Result<index::IndexReport> report =
      index::index_corpus(dir + "/books", dir + "/fresh", o, [](auto...) { return false; });
  CHECK(report.status().code() == Status::Code::kCancelled);
  CHECK(index_state(dir + "/fresh").first == std::vector<std::string>{".tomes.lock"});
  CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

int main() { return tomes::test::run_all(); }
