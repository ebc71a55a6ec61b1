// test_merge_deletions.cc: merging segments without some of their books
// (merge_segments' dropped_books, index/segment_merger.h). The oracle: the
// merge of a run without the dropped books is byte for byte the segment
// index_corpus writes in one batch for the kept books alone (copied with
// their mtimes, which books.bin records). Random corpora, settings, runs and
// dropped sets: none, some, every book of an input; thread count and group
// size change no byte; a run with every book dropped writes nothing.
#include <set>

#include "merge_fixtures.h"
#include "index/index_files.h"
#include "index/segment_merger.h"

using namespace tomes;
using namespace tomes::test::merge;

namespace {

using Readers = std::vector<std::shared_ptr<segment::SegmentReader>>;
using Dropped = std::vector<std::vector<std::uint32_t>>;

Readers open_segments(const std::string& ix, const segment::Manifest& m, std::size_t begin, std::size_t end) {
  Readers readers;
  for (std::size_t i = begin; i < end; ++i) {
    auto r = segment::SegmentReader::open(ix + "/" + m.segments[i].name, m.segments[i], m.settings.store_text);
    CHECK(r.is_ok());
    readers.push_back(r.value());
  }
  return readers;
}

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

int main() { return tomes::test::run_all(); }
