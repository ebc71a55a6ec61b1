// test_merge_deletions.cc: merging segments without some of their books
// (merge_segments' dropped_books, index/segment_merger.h). The oracle: the
// merge of a run without the dropped books is byte for byte the segment
// index_corpus writes in one batch for the kept books alone (copied with
// their mtimes, which books.bin records). Random corpora, settings, runs and
// dropped sets: none, some, every book of an input; thread count and group
// size change no byte; a run with every book dropped writes nothing.
// Then with real deletions (index/deletions.h apply_deletions): optimize and
// merge_committed (index/merge_commit.h) leave segments equal to one-batch
// builds of the live books, and search answers (scores, books, chunks) do
// not change.
#include <set>

#include "merge_fixtures.h"
#include "index/index_files.h"
#include "index/index_lock.h"
#include "index/merge_commit.h"
#include "index/segment_merger.h"

using namespace tomes;
using namespace tomes::test::merge;

namespace {

// Per reader, a random ascending set of its books: often none, sometimes
// all, else each book with a random probability.
Dropped random_dropped(const Readers& run, std::mt19937& rng) {
  Dropped dropped(run.size());
  for (std::size_t i = 0; i < run.size(); ++i) {
    const unsigned mode = rng() % 4;
    const unsigned percent = rng() % 100;
    for (std::uint32_t b = 0; b < run[i]->num_books(); ++b) {
      if (mode == 1 || (mode >= 2 && rng() % 100 < percent)) dropped[i].push_back(b);
    }
  }
  return dropped;
}

// The ids of the books the merge keeps, in run order.
std::vector<std::string> kept_ids(const Readers& run, const Dropped& dropped) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < run.size(); ++i) {
    const std::set<std::uint32_t> gone(dropped[i].begin(), dropped[i].end());
    for (std::uint32_t b = 0; b < run[i]->num_books(); ++b) {
      if (!gone.count(b)) ids.emplace_back(run[i]->book_name(b));
    }
  }
  return ids;
}

Result<segment::SegmentInfo> merge(const Readers& run, const Dropped& dropped, const std::string& ix,
                                   const std::string& name, bool store_text, unsigned threads,
                                   std::uint64_t group) {
  tbb::task_arena arena(static_cast<int>(threads));
  index::MergeOptions o;
  o.postings_per_group = group;
  return index::merge_segments(run, dropped, ix, name, store_text, o, arena);
}

// Segment `info` of ix is byte for byte a one-batch build of `ids` alone.
void check_equals_a_build_of(const std::string& dir, const std::string& ix, const segment::SegmentInfo& info,
                             const std::vector<std::string>& ids, const Settings& s, const std::string& tag) {
  copy_books(dir + "/books", ids, dir + "/" + tag + "/books");
  build(dir + "/" + tag + "/books", dir + "/" + tag + "/ix", s, 100000);
  const segment::Manifest alone = manifest(dir + "/" + tag + "/ix");
  CHECK_EQ(alone.segments.size(), std::size_t{1});
  check_same_segment(ix + "/" + info.name, dir + "/" + tag + "/ix/" + alone.segments[0].name);
  CHECK_EQ(info.deleted_docs, std::uint64_t{0});
  CHECK(info.deletes.empty());
}

}  // namespace

TEST_CASE("a_merge_without_dropped_books_equals_a_one_batch_build_of_the_kept_books") {
  std::mt19937 rng(1406);
  int compared = 0;
  for (int round = 0; round < 30; ++round) {
    const std::string dir = temp_dir("merge-drop");
    write_corpus(dir + "/books", rng);
    const Settings s = random_settings(rng);
    build(dir + "/books", dir + "/ix", s, 1 + rng() % 4);
    const segment::Manifest m = manifest(dir + "/ix");
    const std::size_t begin = rng() % m.segments.size();
    const std::size_t end = begin + 1 + rng() % (m.segments.size() - begin);
    const Readers run = open_segments(dir + "/ix", m, begin, end);
    const Dropped dropped = random_dropped(run, rng);
    const std::vector<std::string> kept = kept_ids(run, dropped);
    const std::string name = index::segment_name(900, 0);
    auto info = merge(run, dropped, dir + "/ix", name, s.store_text, 1 + rng() % 3, 1 + rng() % 2000);
    if (kept.empty()) {  // checked on its own below; nothing is written
      CHECK(!info.is_ok() && info.status().code() == Status::Code::kInvalidArgument);
      CHECK(!is_directory(dir + "/ix/" + name));
      CHECK(remove_tree(dir).is_ok());
      continue;
    }
    CHECK(info.is_ok());
    copy_books(dir + "/books", kept, dir + "/kept/books");
    build(dir + "/kept/books", dir + "/kept/ix", s, 100000);
    const segment::Manifest alone = manifest(dir + "/kept/ix");
    CHECK_EQ(alone.segments.size(), std::size_t{1});
    check_same_segment(dir + "/ix/" + name, dir + "/kept/ix/" + alone.segments[0].name);
    CHECK_EQ(info.value().num_docs, alone.segments[0].num_docs);
    CHECK_EQ(info.value().num_books, alone.segments[0].num_books);
    CHECK_EQ(info.value().num_terms, alone.segments[0].num_terms);
    CHECK_EQ(info.value().total_length, alone.segments[0].total_length);
    CHECK_EQ(info.value().bytes, alone.segments[0].bytes);
    // Another thread count and group size: the same bytes.
    const std::string again = index::segment_name(900, 1);
    CHECK(merge(run, dropped, dir + "/ix", again, s.store_text, 1 + rng() % 4, 1 + rng() % 50).is_ok());
    check_same_segment(dir + "/ix/" + name, dir + "/ix/" + again);
    ++compared;
    CHECK(remove_tree(dir).is_ok());
  }
  CHECK(compared >= 20);
}

TEST_CASE("dropping_every_book_of_some_inputs_keeps_the_others_whole") {
  std::mt19937 rng(61);
  const std::string dir = temp_dir("merge-drop");
  write_corpus(dir + "/books", rng);
  const Settings s;
  build(dir + "/books", dir + "/ix", s, 2);
  const segment::Manifest m = manifest(dir + "/ix");
  CHECK(m.segments.size() >= 3);
  const Readers run = open_segments(dir + "/ix", m, 0, m.segments.size());
  Dropped dropped(run.size());
  for (std::size_t i = 0; i < run.size(); i += 2) {  // every other input, the first and maybe the last
    for (std::uint32_t b = 0; b < run[i]->num_books(); ++b) dropped[i].push_back(b);
  }
  const std::string name = index::segment_name(900, 0);
  CHECK(merge(run, dropped, dir + "/ix", name, s.store_text, 2, 7).is_ok());
  copy_books(dir + "/books", kept_ids(run, dropped), dir + "/kept/books");
  build(dir + "/kept/books", dir + "/kept/ix", s, 100000);
  check_same_segment(dir + "/ix/" + name, dir + "/kept/ix/" + manifest(dir + "/kept/ix").segments[0].name);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("a_run_with_every_book_dropped_or_a_malformed_list_writes_nothing") {
  std::mt19937 rng(62);
  const std::string dir = temp_dir("merge-drop");
  write_corpus(dir + "/books", rng);
  build(dir + "/books", dir + "/ix", Settings{}, 3);
  const segment::Manifest m = manifest(dir + "/ix");
  const Readers run = open_segments(dir + "/ix", m, 0, m.segments.size());
  const std::size_t entries = list_directory(dir + "/ix").value().size();
  const auto refused = [&](const Dropped& dropped) {
    auto r = merge(run, dropped, dir + "/ix", index::segment_name(900, 0), true, 2, 100);
    CHECK(!r.is_ok() && r.status().code() == Status::Code::kInvalidArgument);
    CHECK_EQ(list_directory(dir + "/ix").value().size(), entries);
    return r.status().message();
  };
  Dropped all(run.size());
  for (std::size_t i = 0; i < run.size(); ++i) {
    for (std::uint32_t b = 0; b < run[i]->num_books(); ++b) all[i].push_back(b);
  }
  CHECK(refused(all).find("every book of the run is dropped") != std::string::npos);
  CHECK(refused(Dropped(run.size() + 1)).find("one per segment") != std::string::npos);
  Dropped past(run.size());
  past[0].push_back(run[0]->num_books());
  CHECK(refused(past).find("ascending and below") != std::string::npos);
  if (run[0]->num_books() >= 2) {
    Dropped descending(run.size());
    descending[0] = {1, 0};
    CHECK(refused(descending).find("ascending") != std::string::npos);
    Dropped repeated(run.size());
    repeated[0] = {0, 0};
    CHECK(refused(repeated).find("ascending") != std::string::npos);
  }
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("deletions_then_optimize_equal_a_one_batch_build_of_the_live_books") {
  std::mt19937 rng(1407);
  for (int round = 0; round < 10; ++round) {
    const std::string dir = temp_dir("merge-drop");
    write_corpus(dir + "/books", rng);
    const Settings s = random_settings(rng);
    const std::string ix = dir + "/ix";
    build(dir + "/books", ix, s, 1 + rng() % 4);
    // One or two delete commits: the deletes files are cumulative.
    const std::set<std::string> gone = pick_deletions(ix, rng);
    std::set<std::string> first, second;
    for (const std::string& id : gone) (rng() % 2 ? first : second).insert(id);
    delete_books(ix, first);
    if (!second.empty()) delete_books(ix, second);
    const std::vector<std::string> live = live_ids(ix, 0, SIZE_MAX);
    const auto before = located_answers(ix);
    // (A segment whose every book went is out of index.json already.)
    const segment::Manifest deleted = manifest(ix);
    const bool to_merge = deleted.segments.size() > 1 || deleted.segments[0].deleted_docs > 0;
    auto r = index::optimize(ix, optimize_options(1, 1 + rng() % 3, 1 + rng() % 3000), nullptr);
    CHECK(r.is_ok());
    CHECK_EQ(r.value().merged, to_merge);
    const segment::Manifest now = manifest(ix);
    CHECK_EQ(now.segments.size(), std::size_t{1});
    check_equals_a_build_of(dir, ix, now.segments[0], live, s, "live");
    CHECK_EQ(now.total_docs, now.segments[0].num_docs);
    CHECK(located_answers(ix) == before);
    CHECK(located_answers(dir + "/live/ix") == before);
    CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
    const std::set<std::string> listing = [&] {
      auto names = list_directory(ix).value();
      return std::set<std::string>(names.begin(), names.end());
    }();
    CHECK(listing == (std::set<std::string>{"index.json", ".tomes.lock", now.segments[0].name}));
    CHECK(remove_tree(dir).is_ok());
  }
}

TEST_CASE("optimize_within_max_segments_still_rewrites_every_segment_with_deletions") {
  std::mt19937 rng(1408);
  for (int round = 0; round < 4; ++round) {
    const std::string dir = temp_dir("merge-drop");
    write_corpus(dir + "/books", rng);
    const Settings s = random_settings(rng);
    const std::string ix = dir + "/ix";
    build(dir + "/books", ix, s, 2);
    delete_books(ix, pick_deletions(ix, rng));
    const segment::Manifest old = manifest(ix);
    const auto before = located_answers(ix);
    CHECK(index::optimize(ix, optimize_options(old.segments.size(), 2, 100), nullptr).is_ok());
    const segment::Manifest now = manifest(ix);
    CHECK_EQ(now.segments.size(), old.segments.size());
    for (std::size_t i = 0; i < now.segments.size(); ++i) {
      CHECK_EQ(now.segments[i].deleted_docs, std::uint64_t{0});
      CHECK_EQ(now.segments[i].name == old.segments[i].name, old.segments[i].deleted_docs == 0);
      if (now.segments[i].name == old.segments[i].name) continue;
      check_equals_a_build_of(dir, ix, now.segments[i], live_ids(ix, i, i + 1), s, "seg" + std::to_string(i));
    }
    CHECK(located_answers(ix) == before);
    CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
    CHECK(remove_tree(dir).is_ok());
  }
}

TEST_CASE("merge_committed_by_the_policy_merges_what_it_plans_and_commits_it") {
  std::mt19937 rng(1409);
  std::size_t merged_runs = 0;
  for (int round = 0; round < 4; ++round) {
    const std::string dir = temp_dir("merge-drop");
    write_corpus(dir + "/books", rng);
    const Settings s = random_settings(rng);
    const std::string ix = dir + "/ix";
    build(dir + "/books", ix, s, 1);
    if (round % 2 == 1) delete_books(ix, pick_deletions(ix, rng));
    const segment::Manifest old = manifest(ix);
    const auto before = located_answers(ix);
    index::MergeCommitOptions o;
    o.policy.merge_factor = 2 + rng() % 3;
    o.policy.floor_bytes = 1 + rng() % 20000;
    o.threads = 2;
    const index::MergeRuns runs = index::plan_policy_merges(old.segments, o.policy);
    std::vector<std::vector<std::string>> run_ids;  // each run's live books, read before the merge
    for (const auto& [begin, end] : runs) run_ids.push_back(live_ids(ix, begin, end));
    merged_runs += runs.size();
    Result<index::IndexLock> lock = index::IndexLock::acquire(ix);
    CHECK(lock.is_ok());
    const std::uint64_t generation = index::next_generation(ix, old.generation).value();
    Result<segment::Manifest> now = index::merge_committed(ix, old, generation, o, nullptr);
    CHECK(now.is_ok());
    const segment::Manifest committed = manifest(ix);
    CHECK_EQ(committed.generation, runs.empty() ? old.generation : generation);
    CHECK_EQ(now.value().segments.size(), committed.segments.size());
    CHECK_EQ(committed.total_docs, old.total_docs);
    // The committed list: untouched segments as they were, each run one
    // segment equal to a one-batch build of its live books.
    std::size_t next = 0, out = 0;
    const auto keep_until = [&](std::size_t end) {
      for (; next < end; ++next, ++out) CHECK_EQ(committed.segments[out].name, old.segments[next].name);
    };
    for (std::size_t r = 0; r < runs.size(); ++r) {
      keep_until(runs[r].first);
      CHECK_EQ(now.value().segments[out].name, committed.segments[out].name);
      check_equals_a_build_of(dir, ix, committed.segments[out], run_ids[r], s, "run" + std::to_string(r));
      ++out;
      next = runs[r].second;
    }
    keep_until(old.segments.size());
    CHECK_EQ(out, committed.segments.size());
    for (std::size_t i = 0; i < old.segments.size(); ++i) {
      bool merged = false;
      for (const auto& [begin, end] : runs) merged = merged || (begin <= i && i < end);
      CHECK_EQ(is_directory(ix + "/" + old.segments[i].name), !merged);
    }
    CHECK(located_answers(ix) == before);
    CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
    CHECK(remove_tree(dir).is_ok());
  }
  CHECK(merged_runs >= 4);
}

TEST_CASE("a_run_whose_every_book_is_deleted_leaves_the_index_and_writes_nothing") {
  // index.json never lists such a segment (apply_deletions drops it), so the
  // committed manifest is doctored in memory: merge_committed leaves the run
  // out of the new index.json, writes no segment for it and removes its
  // directory; the doc ids after it move down.
  std::mt19937 rng(1410);
  const std::string dir = temp_dir("merge-drop");
  write_corpus(dir + "/books", rng);
  const std::string ix = dir + "/ix";
  build(dir + "/books", ix, Settings{}, 3);
  segment::Manifest old = manifest(ix);
  CHECK(old.segments.size() >= 3);
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < old.segments.size(); ++i) {
    if (i == 1) continue;
    const auto part = live_ids(ix, i, i + 1);
    kept.insert(kept.end(), part.begin(), part.end());
  }
  segment::SegmentInfo& gone = old.segments[1];
  gone.deleted_books = gone.num_books;
  gone.deleted_docs = gone.num_docs;
  gone.deleted_length = gone.total_length;
  old.recount();
  index::MergeCommitOptions o;
  o.rule = index::MergeRule::kMaxSegments;
  o.max_segments = old.segments.size();  // only the deletions call for a rewrite
  Result<index::IndexLock> lock = index::IndexLock::acquire(ix);
  const std::uint64_t generation = index::next_generation(ix, old.generation).value();
  Result<segment::Manifest> now = index::merge_committed(ix, old, generation, o, nullptr);
  CHECK(now.is_ok());
  const segment::Manifest committed = manifest(ix);
  CHECK_EQ(committed.generation, generation);
  CHECK_EQ(committed.segments.size(), old.segments.size() - 1);
  CHECK_EQ(committed.segments[1].name, old.segments[2].name);
  CHECK_EQ(committed.segments[1].base_doc_id, old.segments[0].num_docs);
  CHECK(!is_directory(ix + "/" + gone.name));
  CHECK(!is_directory(ix + "/" + index::segment_name(generation, 0)));
  copy_books(dir + "/books", kept, dir + "/kept/books");
  build(dir + "/kept/books", dir + "/kept/ix", Settings{}, 100000);
  CHECK(located_answers(ix) == located_answers(dir + "/kept/ix"));
  CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("a_cancelled_merge_of_an_index_with_deletions_keeps_its_generation_and_files") {
  std::mt19937 rng(1411);
  const std::string dir = temp_dir("merge-drop");
  write_corpus(dir + "/books", rng);
  const std::string ix = dir + "/ix";
  build(dir + "/books", ix, Settings{}, 1);
  delete_books(ix, pick_deletions(ix, rng));
  CHECK(index::clean_leftovers(ix, manifest(ix)).is_ok());  // the old deletes files, as the writer does
  const std::string json = read_bytes(ix + "/index.json");
  const auto listing = [&] {
    std::map<std::string, std::size_t> entries;  // every entry, with the entries of each directory
    const std::vector<std::string> names = list_directory(ix).value();
    for (const std::string& n : names) {
      entries[n] = is_directory(ix + "/" + n) ? list_directory(ix + "/" + n).value().size() : 0;
    }
    return entries;
  };
  const auto before = listing();
  const auto answers = located_answers(ix);
  for (int stop_after = 0; stop_after < 4; ++stop_after) {
    int calls = 0;
    const index::OptimizeProgress stop = [&](std::uint64_t, std::uint64_t) { return calls++ < stop_after; };
    auto r = index::optimize(ix, optimize_options(1, 2, 50), stop);
    CHECK(!r.is_ok() && r.status().code() == Status::Code::kCancelled);
    CHECK(read_bytes(ix + "/index.json") == json);
    CHECK(listing() == before);
  }
  CHECK(located_answers(ix) == answers);
  CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("merge_committed_with_nothing_to_merge_returns_the_committed_manifest_untouched") {
  std::mt19937 rng(1412);
  const std::string dir = temp_dir("merge-drop");
  write_corpus(dir + "/books", rng);
  const std::string ix = dir + "/ix";
  build(dir + "/books", ix, Settings{}, 2);
  const segment::Manifest old = manifest(ix);
  const std::string json = read_bytes(ix + "/index.json");
  index::MergeCommitOptions o;
  o.policy.merge_factor = 1000;  // no window fills, nothing deleted
  Result<index::IndexLock> lock = index::IndexLock::acquire(ix);
  Result<segment::Manifest> now = index::merge_committed(ix, old, old.generation + 1, o, nullptr);
  CHECK(now.is_ok());
  CHECK_EQ(now.value().generation, old.generation);
  CHECK_EQ(now.value().segments.size(), old.segments.size());
  CHECK(read_bytes(ix + "/index.json") == json);
  o.policy.merge_factor = 1;
  CHECK(index::merge_committed(ix, old, old.generation + 1, o, nullptr).status().code() ==
        Status::Code::kInvalidArgument);
  o.rule = index::MergeRule::kMaxSegments;
  o.max_segments = 0;
  CHECK(index::merge_committed(ix, old, old.generation + 1, o, nullptr).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(read_bytes(ix + "/index.json") == json);
  CHECK(remove_tree(dir).is_ok());
}

int main() { return tomes::test::run_all(); }
