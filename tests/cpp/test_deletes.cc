// test_deletes.cc: deletions without rewriting segments (segment/deletes.h,
// index/deletions.h, the live statistics of search/index_reader.h).
//
// The oracle is a from-scratch build: after each round of deletions
// (apply_deletions + write_manifest, one generation each), the index must
// equal index_corpus of only the live books (copied, mtimes kept): the same
// N, avgdl and live df of every term, the same postings per (book_id,
// chunk), and the same hits, scores bit for bit, for random exact, fuzzy
// and prefix queries with every algorithm, one by one and in a batch. The
// per-term counts are also checked against a brute-force count from the
// decoded postings, the files against the thread count, and damaged deletes
// files (a flipped byte, a truncation, counts in index.json that disagree,
// values a valid checksum cannot excuse) against open() and verify().
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "check.h"
#include "merge_fixtures.h"
#include "temp_files.h"
#include "common/coding.h"
#include "common/crc32.h"
#include "common/file_footer.h"
#include "common/file_system.h"
#include "index/deletions.h"
#include "index/index_files.h"
#include "index/pipeline.h"
#include "search/batch_search.h"
#include "search/index_reader.h"
#include "segment/deletes.h"
#include "segment/manifest.h"
#include "segment/segment_format.h"

using namespace tomes;
using tomes::test::temp_dir;
using tomes::test::write_file;

namespace {

using test::merge::build;
using test::merge::files_of;
using test::merge::random_settings;
using test::merge::read_bytes;
using test::merge::Settings;

const char* kWords[] = {"whale", "ship", "sea", "captain", "Ahab", "naïve", "Straße", "ΣΊΣΥΦΟΣ", "42", "ﬁre",
                        "the", "of", "fish", "fishes", "running", "runs", "ocean", "oceans", "whaler", "shipping"};
constexpr std::size_t kNumWords = sizeof kWords / sizeof *kWords;

// A random corpus of distinct books (each has a word of its own, "uN", so
// no two are duplicates and deleting a book takes terms away entirely), some
// long enough for many postings blocks; book ids in two directories.
std::vector<std::string> write_corpus(const std::string& dir, std::mt19937& rng, int min_books = 4) {
  CHECK(make_directories(dir + "/sub").is_ok());
  const int books = min_books + static_cast<int>(rng() % 26);
  std::vector<std::string> ids;
  for (int b = 0; b < books; ++b) {
    std::string text = "u" + std::to_string(b) + " ";
    const int words = rng() % 8 == 0 ? 3000 + static_cast<int>(rng() % 6000) : 1 + static_cast<int>(rng() % 300);
    for (int w = 0; w < words; ++w) {
      text += kWords[rng() % kNumWords];
      if (rng() % 4 == 0) text += std::to_string(rng() % 40);  // rarer terms
      text += (rng() % 9 == 0) ? "\n\n" : (rng() % 5 == 0 ? ", " : " ");
    }
    const std::string id = (b % 3 == 0 ? "sub/" : "") + std::string("book") + std::to_string(b) + ".txt";
    write_file(dir + "/" + id, text);
    ids.push_back(id);
  }
  return ids;
}

std::shared_ptr<search::IndexReader> open_index(const std::string& ix) {
  Result<std::shared_ptr<search::IndexReader>> r = search::IndexReader::open(ix);
  if (!r.is_ok()) std::fprintf(stderr, "open %s: %s\n", ix.c_str(), r.status().message().c_str());
  CHECK(r.is_ok());
  return r.is_ok() ? r.value() : nullptr;
}

// The live books of an index, by id.
std::set<std::string> live_books(const search::IndexReader& ix) {
  std::set<std::string> out;
  for (const auto& seg : ix.segments()) {
    for (std::uint32_t b = 0; b < seg->num_books(); ++b) {
      if (!seg->book_deleted(b)) out.insert(std::string(seg->book_name(b)));
    }
  }
  return out;
}

// Deletes `pick` (segment index -> local books) as one commit: apply_deletions,
// then index.json of generation + 1, then clean_leftovers.
void commit_deletions(const std::string& ix, const std::map<std::size_t, std::set<std::uint32_t>>& pick,
                      int threads = 2) {
  auto reader = open_index(ix);
  segment::Manifest m = reader->manifest();
  std::vector<std::vector<std::uint32_t>> books(m.segments.size());
  for (const auto& [seg, set] : pick) books[seg].assign(set.begin(), set.end());
  tbb::task_arena arena(threads);
  const std::uint64_t generation = m.generation + 1;
  Status s = index::apply_deletions(ix, reader->segments(), books, generation, &m, arena);
  if (!s.is_ok()) std::fprintf(stderr, "apply_deletions: %s\n", s.message().c_str());
  CHECK(s.is_ok());
  m.generation = generation;
  CHECK(segment::write_manifest(ix, m).is_ok());
  CHECK(index::clean_leftovers(ix, m).is_ok());
}

// A random share of the live books (sometimes all of a segment's).
std::map<std::size_t, std::set<std::uint32_t>> random_pick(const search::IndexReader& ix, std::mt19937& rng) {
  std::map<std::size_t, std::set<std::uint32_t>> pick;
  const unsigned share = 1 + rng() % 4;  // delete about share / 8 of the books
  for (std::size_t i = 0; i < ix.segments().size(); ++i) {
    const auto& seg = ix.segments()[i];
    const bool all = rng() % 6 == 0;
    for (std::uint32_t b = 0; b < seg->num_books(); ++b) {
      if (!seg->book_deleted(b) && (all || rng() % 8 < share)) pick[i].insert(b);
    }
  }
  return pick;
}

// index_corpus of only `books` (ids, copied from corpus with their mtimes).
void build_from_scratch(const std::string& corpus, const std::set<std::string>& books, const std::string& dir,
                        const Settings& s) {
  CHECK(remove_tree(dir).is_ok());
  CHECK(make_directories(dir + "/books/sub").is_ok());
  for (const std::string& id : books) {
    const std::string from = corpus + "/" + id, to = dir + "/books/" + id;
    write_file(to, read_bytes(from));
    struct stat st;
    CHECK(::stat(from.c_str(), &st) == 0);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    CHECK(::utimensat(AT_FDCWD, to.c_str(), times, 0) == 0);
  }
  build(dir + "/books", dir + "/ix", s, 1000000);
}

using Located = std::tuple<std::string, std::uint32_t, std::uint32_t>;  // (book_id, chunk, freq)

Located locate(const search::IndexReader& ix, std::uint32_t doc, std::uint32_t freq) {
  Result<search::ChunkLocation> loc = ix.chunk_info(doc);
  CHECK(loc.is_ok());
  return loc.is_ok() ? Located{loc.value().book_id, loc.value().chunk, freq} : Located{};
}

// Same N, avgdl, totals, terms with their live df, and postings per chunk.
void check_same_statistics(const search::IndexReader& a, const search::IndexReader& b) {
  CHECK_EQ(a.num_docs(), b.num_docs());
  CHECK_EQ(a.manifest().total_books, b.manifest().total_books);
  CHECK_EQ(a.manifest().total_length, b.manifest().total_length);
  CHECK(a.manifest().avgdl() == b.manifest().avgdl());
  Result<search::IndexStats> sa = a.stats(), sb = b.stats();
  CHECK(sa.is_ok() && sb.is_ok());
  CHECK_EQ(sa.value().terms, sb.value().terms);
  CHECK_EQ(sa.value().chunks, sb.value().chunks);
  CHECK_EQ(sa.value().books, sb.value().books);
  std::uint64_t deleted = 0;
  for (const auto& s : a.manifest().segments) deleted += s.deleted_docs;
  CHECK_EQ(sa.value().deleted_docs, deleted);
  CHECK_EQ(sb.value().deleted_docs, 0u);
  std::vector<std::pair<std::string, std::uint64_t>> ta, tb;
  CHECK(a.terms("", &ta).is_ok());
  CHECK(b.terms("", &tb).is_ok());
  CHECK(ta == tb);
  for (const auto& [term, df] : ta) {
    Result<std::uint64_t> fa = a.doc_freq(term);
    CHECK(fa.is_ok() && fa.value() == df);
    std::vector<std::uint32_t> da, qa, db, qb;
    CHECK(a.postings(term, &da, &qa).is_ok());
    CHECK(b.postings(term, &db, &qb).is_ok());
    CHECK_EQ(da.size(), df);
    std::vector<Located> la, lb;
    for (std::size_t i = 0; i < da.size(); ++i) la.push_back(locate(a, da[i], qa[i]));
    for (std::size_t i = 0; i < db.size(); ++i) lb.push_back(locate(b, db[i], qb[i]));
    std::sort(la.begin(), la.end());
    std::sort(lb.begin(), lb.end());
    CHECK(la == lb);
  }
}

std::string random_query(std::mt19937& rng, std::size_t books) {
  std::string q;
  const int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) {
    switch (rng() % 6) {
      case 0: q += "u" + std::to_string(rng() % (books + 2)); break;  // one book's own word
      case 1: q += std::string(kWords[rng() % kNumWords]) + std::to_string(rng() % 40); break;
      case 2: q += std::string(kWords[rng() % kNumWords]).substr(0, 3) + "*"; break;  // a prefix
      case 3: q += "u" + std::to_string(rng() % 3) + "*"; break;
      default: q += kWords[rng() % kNumWords];
    }
    q += " ";
  }
  return q;
}

using Scored = std::tuple<double, std::string, std::uint32_t>;  // (-score, book_id, chunk)

// What the random test compared, so that it is seen to compare something.
std::uint64_t hits_compared = 0, deleted_seen = 0;

std::vector<Scored> scored(const std::vector<search::LocatedHit>& hits) {
  std::vector<Scored> out;
  for (const auto& h : hits) out.emplace_back(-h.score, std::string(h.book_id), h.chunk);
  std::sort(out.begin(), out.end());
  return out;
}

// Random queries: every algorithm, fuzzy 0/1/2, k 1..100; then a batch.
void check_same_hits(const search::IndexReader& a, const search::IndexReader& b, std::mt19937& rng,
                     std::size_t books) {
  const search::Algorithm algorithms[] = {search::Algorithm::kDefault, search::Algorithm::kExhaustive,
                                          search::Algorithm::kMaxScore, search::Algorithm::kBlockMaxWand};
  std::vector<std::string> queries;
  for (int i = 0; i < 25; ++i) {
    const std::string q = random_query(rng, books);
    queries.push_back(q);
    search::SearchOptions o;
    o.k = 1 + rng() % 100;
    o.fuzzy = rng() % 3;
    for (search::Algorithm algorithm : algorithms) {
      o.algorithm = algorithm;
      std::vector<search::LocatedHit> ha, hb;
      CHECK(a.search_with_locations(q, o, &ha).is_ok());
      CHECK(b.search_with_locations(q, o, &hb).is_ok());
      const bool same = scored(ha) == scored(hb);
      hits_compared += ha.size();
      if (!same) std::fprintf(stderr, "query \"%s\" k=%zu fuzzy=%u: hits differ\n", q.c_str(), o.k, o.fuzzy);
      CHECK(same);
    }
  }
  search::SearchOptions o;
  o.k = 20;
  const std::size_t width = std::min<std::size_t>(o.k, a.num_docs());
  std::vector<std::int64_t> ia(queries.size() * width), ib(ia.size());
  std::vector<float> sa(ia.size()), sb(ia.size());
  CHECK(search::search_batch(a, queries, o, 2, ia.data(), sa.data(), width).is_ok());
  CHECK(search::search_batch(b, queries, o, 2, ib.data(), sb.data(), width).is_ok());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    std::vector<std::tuple<float, std::string, std::uint32_t>> ra, rb;
    for (std::size_t j = 0; j < width; ++j) {
      const std::size_t at = q * width + j;
      if (ia[at] >= 0) ra.emplace_back(-sa[at], std::get<0>(locate(a, ia[at], 0)), std::get<1>(locate(a, ia[at], 0)));
      if (ib[at] >= 0) rb.emplace_back(-sb[at], std::get<0>(locate(b, ib[at], 0)), std::get<1>(locate(b, ib[at], 0)));
    }
    std::sort(ra.begin(), ra.end());
    std::sort(rb.begin(), rb.end());
    CHECK(ra == rb);
  }
}

// Every deleted doc id: chunk_info and text refuse it, naming it.
void check_deleted_docs_refused(const search::IndexReader& ix) {
  std::uint64_t deleted = 0;
  for (const auto& seg : ix.segments()) {
    for (std::uint32_t d = 0; d < seg->num_docs(); ++d) {
      if (!seg->doc_deleted(d)) continue;
      ++deleted;
      const std::uint64_t id = seg->info().base_doc_id + d;
      const std::string want = "doc_id " + std::to_string(id) + " is a deleted chunk (its book was deleted or replaced)";
      Result<search::ChunkLocation> info = ix.chunk_info(id);
      CHECK(!info.is_ok() && info.status().code() == Status::Code::kInvalidArgument);
      CHECK_EQ(info.status().message(), want);
      Result<std::string> text = ix.text(id);
      CHECK(!text.is_ok() && text.status().code() == Status::Code::kInvalidArgument);
    }
  }
  CHECK_EQ(deleted + ix.num_docs(), ix.doc_id_end());
  CHECK(ix.chunk_info(ix.doc_id_end()).status().code() == Status::Code::kInvalidArgument);
}

// The files of one segment directory, by name.
// Only the deletes file index.json names is left in each segment, and no
// temporary.
void check_no_leftovers(const std::string& ix) {
  const segment::Manifest m = open_index(ix)->manifest();
  for (const auto& s : m.segments) {
    for (const auto& [name, bytes] : files_of(ix + "/" + s.name)) {
      CHECK(name.rfind("deletes_", 0) != 0 || name == s.deletes);
      CHECK(name.rfind(".tmp-", 0) != 0);
    }
  }
}

TEST_CASE("random_deletions_equal_a_build_of_the_live_books") {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    std::mt19937 rng(seed);
    const std::string dir = temp_dir("deletes");
    const std::vector<std::string> ids = write_corpus(dir + "/books", rng);
    const Settings settings = random_settings(rng);
    build(dir + "/books", dir + "/ix", settings, 1 + rng() % 6);
    const int rounds = 1 + static_cast<int>(rng() % 3);
    for (int round = 0; round < rounds; ++round) {
      auto before = open_index(dir + "/ix");
      if (before->num_docs() == 0) break;
      const std::uint64_t generation = before->manifest().generation;
      commit_deletions(dir + "/ix", random_pick(*before, rng), 1 + rng() % 4);
      auto ix = open_index(dir + "/ix");
      CHECK_EQ(ix->manifest().generation, generation + 1);
      CHECK(ix->verify().is_ok());
      check_no_leftovers(dir + "/ix");
      const std::set<std::string> live = live_books(*ix);
      if (live.empty()) {
        CHECK_EQ(ix->num_docs(), 0u);
        CHECK(ix->segments().empty());
        break;
      }
      build_from_scratch(dir + "/books", live, dir + "/scratch", settings);
      auto scratch = open_index(dir + "/scratch/ix");
      check_same_statistics(*ix, *scratch);
      check_same_hits(*ix, *scratch, rng, ids.size());
      check_deleted_docs_refused(*ix);
      deleted_seen += ix->doc_id_end() - ix->num_docs();
    }
    CHECK(remove_tree(dir).is_ok());
  }
  std::fprintf(stderr, "compared %llu hits over indexes with %llu deleted chunks in all\n",
               static_cast<unsigned long long>(hits_compared), static_cast<unsigned long long>(deleted_seen));
  CHECK(hits_compared > 1000 && deleted_seen > 100);
}

TEST_CASE("deleted_postings_counts_match_a_brute_force_count") {
  for (unsigned seed = 20; seed < 26; ++seed) {
    std::mt19937 rng(seed);
    const std::string dir = temp_dir("deletes");
    write_corpus(dir + "/books", rng);
    build(dir + "/books", dir + "/ix", random_settings(rng), 1 + rng() % 8);
    auto ix = open_index(dir + "/ix");
    tbb::task_arena arena(1 + static_cast<int>(seed % 3));
    for (const auto& seg : ix->segments()) {
      std::vector<std::uint32_t> books;
      for (std::uint32_t b = 0; b < seg->num_books(); ++b) {
        if (rng() % 3 == 0) books.push_back(b);
      }
      std::vector<bool> dead(seg->num_docs(), false);
      for (std::uint32_t b : books) {
        for (std::uint32_t d = seg->first_chunk(b); d < seg->end_chunk(b); ++d) dead[d] = true;
      }
      std::vector<std::pair<std::uint32_t, std::uint32_t>> want;
      for (std::uint64_t o = 0; o < seg->info().num_terms; ++o) {
        segment::TermEntry e;
        CHECK(seg->term_entry(o, &e).is_ok());
        std::vector<std::uint32_t> docs, freqs;
        CHECK(seg->postings(e, &docs, &freqs).is_ok());
        std::uint32_t n = 0;
        for (std::uint32_t d : docs) n += dead[d] ? 1 : 0;
        if (n != 0) want.emplace_back(static_cast<std::uint32_t>(o), n);
      }
      auto got = index::count_deleted_postings(*seg, books, arena);
      CHECK(got.is_ok());
      CHECK(got.value() == want);
    }
    CHECK(remove_tree(dir).is_ok());
  }
}

TEST_CASE("thread_counts_give_identical_files") {
  std::mt19937 rng(77);
  const std::string dir = temp_dir("deletes");
  write_corpus(dir + "/books", rng, 20);
  const Settings settings = random_settings(rng);
  std::vector<std::map<std::string, std::string>> results;
  for (int threads : {1, 2, 4}) {
    const std::string ix = dir + "/ix" + std::to_string(threads);
    build(dir + "/books", ix, settings, 7);
    std::mt19937 pick_rng(5);  // the same books every time
    commit_deletions(ix, random_pick(*open_index(ix), pick_rng), threads);
    std::map<std::string, std::string> all;
    const segment::Manifest m = open_index(ix)->manifest();
    for (const auto& s : m.segments) {
      for (const auto& [name, bytes] : files_of(ix + "/" + s.name)) all[s.name + "/" + name] = bytes;
    }
    all["index.json"] = read_bytes(ix + "/index.json");
    results.push_back(all);
  }
  CHECK(results[0] == results[1]);
  CHECK(results[0] == results[2]);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("deleting_every_book_of_a_segment_drops_it") {
  std::mt19937 rng(9);
  const std::string dir = temp_dir("deletes");
  write_corpus(dir + "/books", rng, 12);
  Settings settings;
  build(dir + "/books", dir + "/ix", settings, 4);
  auto ix = open_index(dir + "/ix");
  const std::size_t segments = ix->segments().size();
  CHECK(segments >= 3);
  std::map<std::size_t, std::set<std::uint32_t>> pick;
  for (std::uint32_t b = 0; b < ix->segments()[1]->num_books(); ++b) pick[1].insert(b);
  pick[2].insert(0);
  const std::string dropped = ix->segments()[1]->info().name;
  commit_deletions(dir + "/ix", pick);
  auto after = open_index(dir + "/ix");
  CHECK_EQ(after->segments().size(), segments - 1);
  for (const auto& s : after->manifest().segments) CHECK(s.name != dropped);
  CHECK(after->manifest().segments[1].deleted_books == 1);
  // Doc ids are laid out again: no gap where the dropped segment was.
  CHECK_EQ(after->manifest().segments[1].base_doc_id,
           after->manifest().segments[0].base_doc_id + after->manifest().segments[0].num_docs);
  build_from_scratch(dir + "/books", live_books(*after), dir + "/scratch", settings);
  auto scratch = open_index(dir + "/scratch/ix");
  check_same_statistics(*after, *scratch);
  check_same_hits(*after, *scratch, rng, 40);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("apply_deletions_refuses_bad_book_lists") {
  std::mt19937 rng(3);
  const std::string dir = temp_dir("deletes");
  write_corpus(dir + "/books", rng, 8);
  build(dir + "/books", dir + "/ix", Settings{}, 1000);
  commit_deletions(dir + "/ix", {{0, {1}}});
  auto ix = open_index(dir + "/ix");
  CHECK(ix->segments()[0]->book_deleted(1));
  CHECK(!ix->segments()[0]->book_deleted(0));
  const std::uint32_t n = ix->segments()[0]->num_books();
  tbb::task_arena arena(2);
  for (const std::vector<std::uint32_t>& bad : std::vector<std::vector<std::uint32_t>>{{1}, {3, 2}, {2, 2}, {n}}) {
    segment::Manifest m = ix->manifest();
    Status s = index::apply_deletions(dir + "/ix", ix->segments(), {bad}, m.generation + 1, &m, arena);
    CHECK(s.code() == Status::Code::kInvalidArgument);
  }
  segment::Manifest m = ix->manifest();
  CHECK(index::apply_deletions(dir + "/ix", ix->segments(), {}, m.generation + 1, &m, arena).code() ==
        Status::Code::kInvalidArgument);
  CHECK(remove_tree(dir).is_ok());
}

// Rewrites index.json after change(m) (totals recounted, so only the
// changed member disagrees with the segment).
template <class Change>
void rewrite_manifest(const std::string& ix, Change change) {
  Result<segment::Manifest> m = segment::read_manifest(ix);
  CHECK(m.is_ok());
  segment::Manifest manifest = m.value();
  change(&manifest.segments[0]);
  manifest.recount();
  CHECK(segment::write_manifest(ix, manifest).is_ok());
}

// Writes a deletes body with a valid footer over the segment's file and
// records its size and CRC in index.json.
void forge_deletes(const std::string& ix, const std::string& body) {
  Result<segment::Manifest> m = segment::read_manifest(ix);
  CHECK(m.is_ok());
  const std::string path = ix + "/" + m.value().segments[0].name + "/" + m.value().segments[0].deletes;
  std::string file = body;
  append_footer(&file, segment::kDeletesMagic, segment::kSegmentFormatVersion);
  write_file(path, file);
  rewrite_manifest(ix, [&](segment::SegmentInfo* s) {
    s->bytes += file.size() - s->deletes_bytes;
    s->deletes_bytes = file.size();
    s->deletes_crc32 = crc32_update(0, file);
  });
}

Status open_status(const std::string& ix) { return search::IndexReader::open(ix).status(); }

TEST_CASE("a_damaged_deletes_file_is_corruption_never_a_crash") {
  std::mt19937 rng(11);
  const std::string dir = temp_dir("deletes");
  write_corpus(dir + "/books", rng, 10);
  build(dir + "/books", dir + "/clean", Settings{}, 1000);
  commit_deletions(dir + "/clean", {{0, {0, 2, 3}}});
  const segment::Manifest clean = segment::read_manifest(dir + "/clean").value();
  const segment::SegmentInfo& seg = clean.segments[0];
  const std::string ix = dir + "/ix";
  const std::string file = ix + "/" + seg.name + "/" + seg.deletes;
  const std::string original = read_bytes(dir + "/clean/" + seg.name + "/" + seg.deletes);
  auto fresh = [&] {
    CHECK(remove_tree(ix).is_ok());
    CHECK(std::system(("cp -a " + dir + "/clean " + ix).c_str()) == 0);
  };
  auto expect_corrupt = [&](const char* what) {
    const Status s = open_status(ix);
    if (s.code() != Status::Code::kCorruption) std::fprintf(stderr, "%s: not Corruption: %s\n", what, s.message().c_str());
    CHECK(s.code() == Status::Code::kCorruption);
  };
  fresh();
  CHECK(open_status(ix).is_ok());
  // Every byte flipped, one at a time.
  for (std::size_t i = 0; i < original.size(); ++i) {
    std::string bytes = original;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x20);
    write_file(file, bytes);
    expect_corrupt("flipped byte");
  }
  // Every truncation, and a missing file.
  for (std::size_t n = 0; n < original.size(); ++n) {
    write_file(file, original.substr(0, n));
    expect_corrupt("truncated");
  }
  std::remove(file.c_str());
  expect_corrupt("missing");
  // index.json's counts against the file.
  using Info = segment::SegmentInfo;
  const std::vector<std::pair<const char*, std::function<void(Info*)>>> changes = {
      {"deleted_docs", [](Info* s) { s->deleted_docs += 1; }},
      {"deleted_length", [](Info* s) { s->deleted_length -= 1; }},
      {"deleted_books", [](Info* s) { s->deleted_books += 1; }},
      {"deletes_bytes", [](Info* s) { s->deletes_bytes += 1; }},
      {"deletes_crc32", [](Info* s) { s->deletes_crc32 ^= 1; }},
      {"deletes", [](Info* s) { s->deletes = "deletes_999999.bin"; }},
  };
  for (const auto& [what, change] : changes) {
    fresh();
    rewrite_manifest(ix, change);
    expect_corrupt(what);
  }
  // Values a valid checksum does not excuse.
  const segment::DeletionRecord good = segment::read_deletes(
      std::string_view(original).substr(0, original.size() - kFooterSize), seg.num_books, seg.num_terms, "x").value();
  auto with = [&](auto edit) {
    segment::DeletionRecord r = good;
    edit(&r);
    return segment::encode_deletes(r);
  };
  const std::vector<std::pair<const char*, std::string>> forged = {
      {"books unsorted", with([](segment::DeletionRecord* r) { std::swap(r->books[0], r->books[1]); })},
      {"book repeated", with([](segment::DeletionRecord* r) { r->books[1] = r->books[0]; })},
      {"book out of range", with([&](segment::DeletionRecord* r) { r->books.back() = seg.num_books; })},
      {"ordinal out of range", with([&](segment::DeletionRecord* r) {
         r->deleted_postings.back().first = static_cast<std::uint32_t>(seg.num_terms);
       })},
      {"ordinals unsorted",
       with([](segment::DeletionRecord* r) { std::swap(r->deleted_postings[0], r->deleted_postings[1]); })},
      {"zero count", with([](segment::DeletionRecord* r) { r->deleted_postings[0].second = 0; })},
      {"count above doc_count", with([](segment::DeletionRecord* r) { r->deleted_postings[0].second = 1u << 30; })},
      {"no books", std::string(8, '\0')},
      {"short body", with([](segment::DeletionRecord*) {}).substr(0, 12)},
      {"long body", with([](segment::DeletionRecord*) {}) + "xxxx"},
  };
  for (const auto& [what, body] : forged) {
    fresh();
    forge_deletes(ix, body);
    expect_corrupt(what);
  }
  // A count that fits the term but is not what the postings hold: open()
  // cannot tell, verify() counts.
  fresh();
  forge_deletes(ix, with([](segment::DeletionRecord* r) {
    r->deleted_postings.erase(r->deleted_postings.begin());
  }));
  auto reader = open_index(ix);
  CHECK(reader != nullptr && reader->verify().code() == Status::Code::kCorruption);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("clean_leftovers_keeps_only_the_named_deletes_file") {
  std::mt19937 rng(13);
  const std::string dir = temp_dir("deletes");
  write_corpus(dir + "/books", rng, 10);
  build(dir + "/books", dir + "/ix", Settings{}, 1000);
  commit_deletions(dir + "/ix", {{0, {1}}});
  const segment::Manifest m = segment::read_manifest(dir + "/ix").value();
  const std::string seg = dir + "/ix/" + m.segments[0].name;
  write_file(seg + "/deletes_000001.bin", "old");
  write_file(seg + "/deletes_000099.bin", "uncommitted");
  write_file(seg + "/.tmp-deletes_000099.bin", "half");
  CHECK(index::clean_leftovers(dir + "/ix", m).is_ok());
  const auto files = files_of(seg);
  CHECK(files.count(m.segments[0].deletes) == 1);
  CHECK(files.count("deletes_000001.bin") == 0);
  CHECK(files.count("deletes_000099.bin") == 0);
  CHECK(files.count(".tmp-deletes_000099.bin") == 0);
  CHECK(files.count("postings_docs.bin") == 1);
  CHECK_EQ(segment::deletes_file_name(7), std::string("deletes_000007.bin"));
  CHECK_EQ(segment::deletes_file_name(1234567), std::string("deletes_1234567.bin"));
  CHECK(remove_tree(dir).is_ok());
}

}  // namespace

int main() { return tomes::test::run_all(); }
