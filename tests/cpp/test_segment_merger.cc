// test_segment_merger.cc: merging segments (index/segment_merger.h) and
// optimize (index/optimize.h). The oracle is independent of the merger:
// segments are in global doc-id order, so the merge of adjacent segments
// must be byte for byte the segment index_corpus writes for the same books
// in one batch (merge_fixtures.h). Also: search hits equal before and after, thread count
// and group size do not change a byte, plan_merges against a brute-force
// model, a held lock, cancelling, and a reader opened before.
#include <algorithm>
#include <set>

#include "merge_fixtures.h"
#include "common/byte_sink.h"
#include "fst/fst_builder.h"
#include "fst/fst_reader.h"
#include "index/index_lock.h"
#include "index/term_union.h"

using namespace tomes;
using namespace tomes::test::merge;

TEST_CASE("optimize_to_one_equals_a_one_batch_build") {
  std::mt19937 rng(20261206);
  for (int round = 0; round < 12; ++round) {
    const std::string dir = temp_dir("merger");
    write_corpus(dir + "/books", rng);
    const Settings s = random_settings(rng);
    build(dir + "/books", dir + "/many", s, 1 + rng() % 4);
    build(dir + "/books", dir + "/one", s, 100000);
    const auto before = search_all(dir + "/many");
    const std::uint64_t segments_before = manifest(dir + "/many").segments.size();
    const index::OptimizeOptions o = optimize_options(1, 1 + rng() % 2, 1 + rng() % 3000);
    Result<index::OptimizeReport> r = index::optimize(dir + "/many", o, nullptr);
    CHECK(r.is_ok());
    CHECK_EQ(r.value().segments_before, segments_before);
    CHECK_EQ(r.value().segments_after, std::uint64_t{1});
    CHECK_EQ(r.value().merged, segments_before > 1);
    const segment::Manifest merged = manifest(dir + "/many"), one = manifest(dir + "/one");
    CHECK_EQ(merged.segments.size(), std::size_t{1});
    CHECK_EQ(merged.total_docs, one.total_docs);
    CHECK_EQ(merged.total_length, one.total_length);
    CHECK_EQ(merged.segments[0].bytes, one.segments[0].bytes);
    CHECK_EQ(r.value().bytes_after, one.segments[0].bytes);
    check_same_segment(dir + "/many/" + merged.segments[0].name, dir + "/one/" + one.segments[0].name);
    // Nothing but the committed segment is left in the directory.
    Result<std::vector<std::string>> names = list_directory(dir + "/many");
    std::size_t segment_dirs = 0;
    for (const std::string& n : names.value()) segment_dirs += n.find("segment_") != std::string::npos;
    CHECK_EQ(segment_dirs, std::size_t{1});
    check_same_hits(before, search_all(dir + "/many"));
    CHECK(search::IndexReader::open(dir + "/many").value()->verify().is_ok());
    CHECK(remove_tree(dir).is_ok());
  }
}

TEST_CASE("max_segments_runs_each_equal_a_one_batch_build_of_their_books") {
  std::mt19937 rng(77);
  for (int round = 0; round < 8; ++round) {
    const std::string dir = temp_dir("merger");
    write_corpus(dir + "/books", rng);
    Settings s = random_settings(rng);
    build(dir + "/books", dir + "/ix", s, 1 + rng() % 3);
    const segment::Manifest old = manifest(dir + "/ix");
    const auto before = search_all(dir + "/ix");
    const std::uint64_t max = 1 + rng() % 4;
    CHECK(index::optimize(dir + "/ix", optimize_options(max, 2, 1 + rng() % 500), nullptr).is_ok());
    const segment::Manifest now = manifest(dir + "/ix");
    CHECK(now.segments.size() <= std::max<std::size_t>(max, 1));
    CHECK_EQ(now.segments.size(), std::min<std::size_t>(old.segments.size(), max));
    CHECK_EQ(now.generation > old.generation, old.segments.size() > max);
    CHECK_EQ(now.total_docs, old.total_docs);
    std::set<std::string> old_names;
    for (const auto& seg : old.segments) old_names.insert(seg.name);
    for (std::size_t i = 0; i < now.segments.size(); ++i) {
      const segment::SegmentInfo& info = now.segments[i];
      if (old_names.count(info.name)) continue;  // untouched
      const std::string sub = dir + "/sub" + std::to_string(i);
      copy_books(dir + "/books", book_ids(dir + "/ix/" + info.name, info, s.store_text), sub + "/books");
      build(sub + "/books", sub + "/ix", s, 100000);
      const segment::Manifest alone = manifest(sub + "/ix");
      CHECK_EQ(alone.segments.size(), std::size_t{1});
      check_same_segment(dir + "/ix/" + info.name, sub + "/ix/" + alone.segments[0].name);
    }
    check_same_hits(before, search_all(dir + "/ix"));
    CHECK(search::IndexReader::open(dir + "/ix").value()->verify().is_ok());
    CHECK(remove_tree(dir).is_ok());
  }
}

TEST_CASE("thread_count_and_group_size_change_no_byte") {
  std::mt19937 rng(5);
  const std::string dir = temp_dir("merger");
  write_corpus(dir + "/books", rng);
  Settings s;
  build(dir + "/books", dir + "/a", s, 2);
  build(dir + "/books", dir + "/b", s, 2);
  build(dir + "/books", dir + "/c", s, 2);
  CHECK(index::optimize(dir + "/a", optimize_options(1, 1, 1), nullptr).is_ok());
  CHECK(index::optimize(dir + "/b", optimize_options(1, 2, std::uint64_t{1} << 22), nullptr).is_ok());
  CHECK(index::optimize(dir + "/c", optimize_options(1, 4, 97), nullptr).is_ok());
  const std::string a = dir + "/a/" + manifest(dir + "/a").segments[0].name;
  check_same_segment(a, dir + "/b/" + manifest(dir + "/b").segments[0].name);
  check_same_segment(a, dir + "/c/" + manifest(dir + "/c").segments[0].name);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("term_union_equals_a_std_map_union") {
  std::mt19937 rng(13);
  for (int round = 0; round < 200; ++round) {
    const std::size_t k = rng() % 6;
    std::vector<std::string> bytes(k);
    std::vector<fst::FstReader> readers;
    // Model: term -> (dictionary, value) pairs, dictionaries ascending.
    std::map<std::string, std::vector<std::pair<std::size_t, std::uint64_t>>> model;
    for (std::size_t d = 0; d < k; ++d) {
      std::map<std::string, std::uint64_t> keys;
      const std::size_t n = rng() % 40;
      for (std::size_t i = 0; i < n; ++i) {
        std::string key;
        for (std::size_t len = rng() % 4; len > 0; --len) key += static_cast<char>("ab\xff\x00"[rng() % 4]);
        keys[key] = rng() % 1000;
      }
      StringSink sink(&bytes[d]);
      fst::FstBuilder builder(&sink);
      for (const auto& [key, value] : keys) CHECK(builder.add(key, value).is_ok());
      CHECK(builder.finish().is_ok());
      for (const auto& [key, value] : keys) model[key].emplace_back(d, value);
    }
    for (std::size_t d = 0; d < k; ++d) readers.push_back(fst::FstReader::open(bytes[d], "t").value());
    std::vector<const fst::FstReader*> pointers;
    for (const auto& r : readers) pointers.push_back(&r);
    index::TermUnion terms(pointers);
    std::string term;
    std::vector<index::TermUnion::Holder> holders;
    auto want = model.begin();
    while (terms.next(&term, &holders)) {
      CHECK(want != model.end());
      if (want == model.end()) break;
      CHECK(term == want->first);
      CHECK_EQ(holders.size(), want->second.size());
      for (std::size_t i = 0; i < holders.size() && i < want->second.size(); ++i) {
        CHECK_EQ(holders[i].source, want->second[i].first);
        CHECK_EQ(holders[i].ordinal, want->second[i].second);
      }
      ++want;
    }
    CHECK(terms.status().is_ok());
    CHECK(want == model.end());
  }
}

TEST_CASE("plan_merges_matches_a_brute_force_model") {
  std::mt19937 rng(11);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint64_t> sizes(rng() % 12);
    for (auto& x : sizes) x = 1 + rng() % 20;
    const std::uint64_t max = 1 + rng() % 6;
    // Model: a list of groups, each a list of sizes; join the cheapest
    // adjacent pair (leftmost on ties) until few enough.
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < sizes.size(); ++i) groups.push_back({i});
    auto weight = [&](const std::vector<std::size_t>& g) {
      std::uint64_t w = 0;
      for (std::size_t i : g) w += sizes[i];
      return w;
    };
    while (groups.size() > max) {
      std::size_t best = 0;
      std::uint64_t best_w = UINT64_MAX;
      for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
        const std::uint64_t w = weight(groups[i]) + weight(groups[i + 1]);
        if (w < best_w) best_w = w, best = i;
      }
      groups[best].insert(groups[best].end(), groups[best + 1].begin(), groups[best + 1].end());
      groups.erase(groups.begin() + best + 1);
    }
    std::vector<std::pair<std::size_t, std::size_t>> want;
    for (const auto& g : groups) {
      if (g.size() > 1) want.emplace_back(g.front(), g.back() + 1);
    }
    CHECK(index::plan_merges(sizes, max) == want);
  }
}

TEST_CASE("held_lock_missing_index_and_within_max_are_refused_or_untouched") {
  std::mt19937 rng(3);
  const std::string dir = temp_dir("merger");
  write_corpus(dir + "/books", rng);
  build(dir + "/books", dir + "/ix", Settings{}, 2);
  const segment::Manifest old = manifest(dir + "/ix");
  const std::string json = read_bytes(dir + "/ix/index.json");
  CHECK(old.segments.size() > 1);
  {
    Result<index::IndexLock> lock = index::IndexLock::acquire(dir + "/ix");
    CHECK(lock.is_ok());
    Result<index::OptimizeReport> r = index::optimize(dir + "/ix", optimize_options(1, 1, 100), nullptr);
    CHECK(!r.is_ok() && r.status().code() == Status::Code::kLocked);
  }
  CHECK(make_directories(dir + "/nothing").is_ok());
  CHECK(index::optimize(dir + "/nothing", optimize_options(1, 1, 100), nullptr).status().code() ==
        Status::Code::kNotFound);
  CHECK(!index::optimize(dir + "/ix", optimize_options(0, 1, 100), nullptr).is_ok());
  Result<index::OptimizeReport> same =
      index::optimize(dir + "/ix", optimize_options(old.segments.size(), 1, 100), nullptr);
  CHECK(same.is_ok() && !same.value().merged);
  CHECK(read_bytes(dir + "/ix/index.json") == json);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("cancel_keeps_the_old_generation_and_leaves_nothing") {
  std::mt19937 rng(9);
  const std::string dir = temp_dir("merger");
  write_corpus(dir + "/books", rng);
  build(dir + "/books", dir + "/ix", Settings{}, 1);
  const std::string json = read_bytes(dir + "/ix/index.json");
  const std::size_t entries = list_directory(dir + "/ix").value().size();
  for (int stop_after = 0; stop_after < 4; ++stop_after) {
    int calls = 0;
    const index::OptimizeProgress stop = [&](std::uint64_t, std::uint64_t) { return calls++ < stop_after; };
    Result<index::OptimizeReport> r = index::optimize(dir + "/ix", optimize_options(1, 2, 50), stop);
    CHECK(!r.is_ok() && r.status().code() == Status::Code::kCancelled);
    CHECK(read_bytes(dir + "/ix/index.json") == json);
    CHECK_EQ(list_directory(dir + "/ix").value().size(), entries);
  }
  CHECK(search::IndexReader::open(dir + "/ix").value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("a_reader_opened_before_keeps_its_generation") {
  std::mt19937 rng(21);
  const std::string dir = temp_dir("merger");
  write_corpus(dir + "/books", rng);
  build(dir + "/books", dir + "/ix", Settings{}, 1);
  const auto before = search_all(dir + "/ix");
  Result<std::shared_ptr<search::IndexReader>> reader = search::IndexReader::open(dir + "/ix");
  CHECK(reader.is_ok());
  CHECK(index::optimize(dir + "/ix", optimize_options(1, 2, 100), nullptr).is_ok());
  search::SearchOptions so;
  so.k = 50;
  std::vector<std::vector<search::Hit>> after;
  for (const std::string& q : queries()) {
    std::vector<search::Hit> hits;
    CHECK(reader.value()->search(q, so, &hits).is_ok());
    after.push_back(hits);
  }
  check_same_hits(before, after);
  // (verify() of the old reader would re-read its files by path, which are
  // gone: it checks the files, not the mappings. A new reader verifies.)
  CHECK(search::IndexReader::open(dir + "/ix").value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}
int main() { return tomes::test::run_all(); }
