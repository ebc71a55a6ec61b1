// test_batch_search.cc: search::search_batch against a loop over
// IndexReader::search (its definition): the same rows whatever the thread
// count, padding, the lowest failing query's Status on damaged postings,
// and should_stop (Cancelled, a late stop that changes nothing, an
// exception rethrown).
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "check.h"
#include "temp_files.h"
#include "common/file_system.h"
#include "index/pipeline.h"
#include "search/batch_search.h"
#include "search/index_reader.h"
#include "segment/segment_format.h"

using namespace tomes;
using tomes::test::temp_dir;
using tomes::test::write_file;

namespace {

const char* kWords[] = {"whale", "ship", "sea", "captain", "ahab", "naïve", "fish", "fishes", "the", "kraken"};

// An index of `books` random books in several segments, under dir + "/ix".
void build_index(const std::string& dir, int books, std::uint32_t seed) {
  std::mt19937 rng(seed);
  CHECK(make_directories(dir + "/books").is_ok());
  for (int b = 0; b < books; ++b) {
    std::string text;
    for (int w = static_cast<int>(rng() % 400); w >= 0; --w) text += std::string(kWords[rng() % 10]) + " ";
    write_file(dir + "/books/book" + std::to_string(b) + ".txt", text);
  }
  index::IndexOptions options;
  options.parse.chunk_size = 120;
  options.parse.chunk_overlap = 10;
  options.batch_size = 4;
  CHECK(index::index_corpus(dir + "/books", dir + "/ix", options, nullptr).is_ok());
}

std::vector<std::string> random_queries(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> queries{"", "nothing", "fish*", "wahle"};
  while (queries.size() < count) {
    std::string q;
    for (int t = static_cast<int>(rng() % 4); t >= 0; --t) q += std::string(kWords[rng() % 10]) + " ";
    queries.push_back(q);
  }
  return queries;
}

struct Rows {
  std::vector<std::int64_t> ids;
  std::vector<float> scores;
  Rows(std::size_t n, std::size_t width) : ids(n * width, 7), scores(n * width, 7.0f) {}
};

// What search_batch must give: search() per query; the first failure's
// Status, and its index in *failed.
Status loop_search(const search::IndexReader& ix, const std::vector<std::string>& queries,
                   const search::SearchOptions& options, std::size_t width, Rows* rows, std::size_t* failed = nullptr) {
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::vector<search::Hit> hits;
    Status s = ix.search(queries[i], options, &hits);
    if (!s.is_ok()) {
      if (failed != nullptr) *failed = i;
      return s;
    }
    for (std::size_t c = 0; c < width; ++c) {
      rows->ids[i * width + c] = c < hits.size() ? std::int64_t{hits[c].doc_id} : -1;
      rows->scores[i * width + c] = c < hits.size() ? static_cast<float>(hits[c].score) : NAN;
    }
  }
  return Status::ok();
}

bool same_rows(const Rows& a, const Rows& b) {
  if (a.ids != b.ids || a.scores.size() != b.scores.size()) return false;
  for (std::size_t i = 0; i < a.scores.size(); ++i) {
    if (!(a.scores[i] == b.scores[i] || (std::isnan(a.scores[i]) && std::isnan(b.scores[i])))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("rows_equal_a_loop_over_search_for_every_thread_count") {
  const std::string dir = temp_dir("batch");
  build_index(dir, 24, 1);
  const auto ix = search::IndexReader::open(dir + "/ix").value();
  CHECK(ix->segments().size() > 1);
  const std::vector<std::string> queries = random_queries(300, 2);
  for (const std::size_t k : {std::size_t{1}, std::size_t{10}, std::size_t{ix->num_docs()}}) {
    search::SearchOptions options;
    options.k = k;
    options.fuzzy = k == 10 ? 1 : 0;
    for (const std::size_t width : {k, k / 2}) {
      Rows want(queries.size(), width);
      CHECK(loop_search(*ix, queries, options, width, &want).is_ok());
      for (const unsigned threads : {0u, 1u, 2u, 4u}) {
        Rows got(queries.size(), width);
        CHECK(search::search_batch(*ix, queries, options, threads, got.ids.data(), got.scores.data(), width).is_ok());
        CHECK(same_rows(got, want));
      }
    }
  }
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("empty_batch_and_bad_options") {
  const std::string dir = temp_dir("batch");
  build_index(dir, 3, 3);
  const auto ix = search::IndexReader::open(dir + "/ix").value();
  CHECK(search::search_batch(*ix, {}, search::SearchOptions{}, 2, nullptr, nullptr, 10).is_ok());
  search::SearchOptions bad;
  bad.fuzzy = 3;
  Rows rows(50, 10);
  const Status s = search::search_batch(*ix, random_queries(50, 4), bad, 4, rows.ids.data(), rows.scores.data(), 10);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().rfind("query 0: fuzzy must be", 0) == 0);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("the_lowest_failing_query_is_reported_whatever_the_threads") {
  const std::string dir = temp_dir("batch");
  build_index(dir, 24, 5);
  const std::vector<std::string> queries = random_queries(200, 6);
  std::string docs_path;
  const std::vector<std::string> index_files = list_directory(dir + "/ix").value();
  for (const std::string& name : index_files) {
    if (name.rfind("segment_", 0) == 0) docs_path = dir + "/ix/" + name + "/" + std::string(segment::kDocsFile);
  }
  const std::string original = read_small_file(docs_path, 1 << 26).value();
  std::mt19937 rng(7);
  int partly_failing = 0;
  for (int trial = 0; trial < 200 && partly_failing < 5; ++trial) {
    std::string damaged = original;
    for (int flips = 0; flips < 3; ++flips) damaged[rng() % damaged.size()] ^= static_cast<char>(1 << (rng() % 8));
    write_file(docs_path, damaged);
    Result<std::shared_ptr<search::IndexReader>> ix = search::IndexReader::open(dir + "/ix");
    if (!ix.is_ok()) continue;
    search::SearchOptions options;
    Rows want(queries.size(), 10);
    std::size_t failed = 0;
    const Status expected = loop_search(*ix.value(), queries, options, 10, &want, &failed);
    if (expected.is_ok() || failed == 0) continue;
    ++partly_failing;
    for (const unsigned threads : {1u, 2u, 4u}) {
      Rows got(queries.size(), 10);
      const Status s =
          search::search_batch(*ix.value(), queries, options, threads, got.ids.data(), got.scores.data(), 10);
      CHECK(s.code() == expected.code());
      CHECK_EQ(s.message(), "query " + std::to_string(failed) + ": " + expected.message());
    }
  }
  CHECK(partly_failing > 0);  // else the damage never hit a later query: change the seed
  write_file(docs_path, original);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("should_stop_cancels_and_a_late_stop_changes_nothing") {
  const std::string dir = temp_dir("batch");
  build_index(dir, 24, 8);
  const auto ix = search::IndexReader::open(dir + "/ix").value();
  search::SearchOptions options;
  options.fuzzy = 2;
  const std::vector<std::string> few = random_queries(20, 9);
  Rows want(few.size(), 10);
  CHECK(loop_search(*ix, few, options, 10, &want).is_ok());

  // A yes given after every query was claimed (the short batch is long
  // done when the answer comes) changes nothing.
  const std::function<bool()> yes = [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return true;
  };
  Rows got(few.size(), 10);
  CHECK(search::search_batch(*ix, few, options, 2, got.ids.data(), got.scores.data(), 10, &yes).is_ok());
  CHECK(same_rows(got, want));

  // A batch that outlasts the first poll is stopped at it.
  std::vector<std::string> many;
  while (many.size() < 200000) many.insert(many.end(), few.begin(), few.end());
  Rows big(many.size(), 1);
  int asked = 0;
  const std::function<bool()> second = [&] { return ++asked == 2; };
  const Status s = search::search_batch(*ix, many, options, 2, big.ids.data(), big.scores.data(), 1, &second);
  CHECK(s.code() == Status::Code::kCancelled);
  CHECK_EQ(asked, 2);

  const std::function<bool()> throws = [] () -> bool { throw std::runtime_error("from should_stop"); };
  bool thrown = false;
  try {
    (void)search::search_batch(*ix, many, options, 2, big.ids.data(), big.scores.data(), 1, &throws);
  } catch (const std::runtime_error& e) {
    thrown = std::string(e.what()) == "from should_stop";
  }
  CHECK(thrown);
  CHECK(remove_tree(dir).is_ok());
}

int main() { return tomes::test::run_all(); }
