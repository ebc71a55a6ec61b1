// test_index_writer.cc: the writer session (index_writer.h, live_books.h) in
// C++ alone. Each case states its expectation by hand: which ids a commit
// adds, replaces, deletes or leaves, which book a duplicate names, what
// search answers afterwards (checked against an index_corpus build of the
// same live books), and that nothing uncommitted survives a rollback.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "common/file_system.h"
#include "index/index_writer.h"
#include "index/pipeline.h"
#include "search/index_reader.h"
#include "temp_files.h"

using namespace tomes;
using tomes::test::temp_dir;
using tomes::test::write_file;

namespace {

index::WriterOptions small_options() {
  index::WriterOptions o;
  o.index.parse.chunk_size = 60;
  o.index.parse.chunk_overlap = 10;
  o.index.batch_size = 2;
  o.index.threads = 2;
  return o;
}

std::unique_ptr<index::IndexWriter> open_writer(const std::string& dir, index::WriterOptions o = small_options()) {
  auto w = index::IndexWriter::open(dir, o, nullptr);
  CHECK(w.is_ok());
  return std::move(w).value();
}

index::CommitReport commit(index::IndexWriter& w) {
  auto r = w.commit(nullptr);
  CHECK(r.is_ok());
  return r.value();
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

using Strings = std::vector<std::string>;

// book id -> its chunks' count, from the index's own chunk table.
std::map<std::string, int> live_books(const std::string& dir) {
  auto ix = search::IndexReader::open(dir);
  CHECK(ix.is_ok());
  std::map<std::string, int> books;
  for (const auto& seg : ix.value()->segments()) {
    for (std::uint32_t b = 0; b < seg->num_books(); ++b) {
      if (!seg->book_deleted(b)) books[std::string(seg->book_name(b))] = seg->end_chunk(b) - seg->first_chunk(b);
    }
  }
  return books;
}

// (-score, book, chunk) of the hits, sorted: comparable across indexes
// whose doc ids differ.
std::vector<std::tuple<double, std::string, std::uint32_t>> answers(const std::string& dir, const std::string& q) {
  auto ix = search::IndexReader::open(dir);
  CHECK(ix.is_ok());
  std::vector<search::LocatedHit> hits;
  search::SearchOptions o;
  o.k = 100;
  CHECK(ix.value()->search_with_locations(q, o, &hits).is_ok());
  std::vector<std::tuple<double, std::string, std::uint32_t>> out;
  for (const auto& h : hits) out.emplace_back(-h.score, std::string(h.book_id), h.chunk);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<index::TextBook> texts(const std::vector<std::pair<std::string, std::string>>& books) {
  std::vector<index::TextBook> out;
  for (const auto& [id, text] : books) out.push_back({id, text, ""});
  return out;
}

std::set<std::string> entries(const std::string& dir) {
  auto names = list_directory(dir);
  CHECK(names.is_ok());
  return std::set<std::string>(names.value().begin(), names.value().end());
}

}  // namespace

TEST_CASE("texts_are_added_replaced_left_and_deleted_by_id") {
  const std::string dir = temp_dir("writer");
  auto w = open_writer(dir);
  CHECK(w->add_texts(texts({{"a", "whale ship"}, {"b", "sea captain"}, {"c", "harpoon boat"}}), nullptr).is_ok());
  index::CommitReport r = commit(*w);
  CHECK(sorted(r.added) == (Strings{"a", "b", "c"}));
  CHECK_EQ(r.books, std::uint64_t{3});
  w->remove({"c", "nobody"});
  CHECK(w->add_texts(texts({{"a", "whale ship"}, {"b", "sea captain again"}, {"d", "harpoon boat"}}), nullptr)
            .is_ok());
  r = commit(*w);
  CHECK(r.unchanged == Strings{"a"});
  CHECK(r.replaced == Strings{"b"});
  CHECK(r.deleted == Strings{"c"});
  // d has c's text, but c was deleted first: d is no duplicate.
  CHECK(r.added == Strings{"d"});
  CHECK(r.not_found == Strings{"nobody"});
  CHECK(live_books(dir) == (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"d", 1}}));
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("a_live_books_text_is_a_duplicate_and_sync_prefers_the_smaller_id") {
  const std::string dir = temp_dir("writer");
  auto w = open_writer(dir);
  CHECK(w->add_texts(texts({{"m", "the same words"}}), nullptr).is_ok());
  commit(*w);
  CHECK(w->add_texts(texts({{"z", "the same words"}}), nullptr).is_ok());
  index::CommitReport r = commit(*w);
  CHECK(r.added.empty());
  CHECK_EQ(r.duplicates.size(), std::size_t{1});
  CHECK(r.duplicates[0] == (std::pair<std::string, std::string>{"z", "m"}));
  // A folder holding a.txt with m's text: sync keeps a.txt, the smaller id,
  // and deletes m (and everything else not in the folder).
  const std::string books = dir + "-books";
  CHECK(make_directories(books).is_ok());
  write_file(books + "/a.txt", "the same words");
  write_file(books + "/m.txt", "the same words");
  CHECK(w->sync(books, false, {}, nullptr).is_ok());
  r = commit(*w);
  CHECK(r.added == Strings{"a.txt"});
  CHECK(r.deleted == Strings{"m"});
  CHECK(live_books(dir) == (std::map<std::string, int>{{"a.txt", 1}}));
  CHECK(remove_tree(dir).is_ok());
  CHECK(remove_tree(books).is_ok());
}

TEST_CASE("sync_reads_only_changed_files_and_equals_index_corpus") {
  const std::string dir = temp_dir("writer"), books = dir + "/books", ix = dir + "/ix", fresh = dir + "/fresh";
  CHECK(make_directories(books + "/sub").is_ok());
  const char* words[] = {"whale", "ship", "sea", "captain", "harpoon", "deep", "boat", "sail"};
  for (int i = 0; i < 12; ++i) {
    std::string text;
    for (int j = 0; j < 20 + 7 * i; ++j) text += std::string(words[(i * 3 + j * j) % 8]) + " ";
    write_file(books + (i % 3 ? "/" : "/sub/") + "b" + std::to_string(i) + ".txt", text);
  }
  {
    auto w = open_writer(ix);
    CHECK(w->sync(books, false, {}, nullptr).is_ok());
    CHECK_EQ(commit(*w).added.size(), std::size_t{12});
  }
  write_file(books + "/b1.txt", "whale whale new text");
  CHECK(::unlink((books + "/b2.txt").c_str()) == 0);
  write_file(books + "/b99.txt", "a new book about the sea");
  {
    auto w = open_writer(ix);
    CHECK(w->sync(books, false, {}, nullptr).is_ok());
    index::CommitReport r = commit(*w);
    CHECK(r.added == Strings{"b99.txt"});
    CHECK(r.replaced == Strings{"b1.txt"});
    CHECK(r.deleted == Strings{"b2.txt"});
    CHECK_EQ(r.unchanged.size(), std::size_t{10});
    CHECK_EQ(r.bytes_read, std::uint64_t{20 + 24});  // only the two files read
  }
  index::IndexOptions o = small_options().index;
  CHECK(index::index_corpus(books, fresh, o, nullptr).is_ok());
  for (const char* q : {"whale", "sea captain", "harpoon deep boat", "sail"}) CHECK(answers(ix, q) == answers(fresh, q));
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("rollback_and_destruction_leave_only_the_committed_generation") {
  const std::string dir = temp_dir("writer");
  {
    auto w = open_writer(dir);
    CHECK(w->add_texts(texts({{"a", "kept words"}}), nullptr).is_ok());
    commit(*w);
  }
  const std::set<std::string> committed = entries(dir);
  {
    auto w = open_writer(dir);
    CHECK(w->add_texts(texts({{"b", "lost words"}, {"c", "more lost"}, {"d", "and more"}}), nullptr).is_ok());
    CHECK(w->add_texts(texts({{"e", "enough to flush a batch"}}), nullptr).is_ok());
    w->remove({"a"});
    w->rollback();
    CHECK(entries(dir) == committed);
    CHECK(w->add_texts(texts({{"f", "never committed"}}), nullptr).is_ok());
    CHECK(w->add_texts(texts({{"g", "flushes a segment"}}), nullptr).is_ok());
  }  // destroyed without commit
  CHECK(entries(dir) == committed);
  CHECK(live_books(dir) == (std::map<std::string, int>{{"a", 1}}));
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("a_second_writer_is_locked_out_at_once_or_after_its_timeout") {
  const std::string dir = temp_dir("writer");
  auto first = open_writer(dir);
  auto second = index::IndexWriter::open(dir, small_options(), nullptr);
  CHECK(!second.is_ok() && second.status().code() == Status::Code::kLocked);
  index::WriterOptions waiting = small_options();
  waiting.lock_timeout = 0.2;
  const auto start = std::chrono::steady_clock::now();
  second = index::IndexWriter::open(dir, waiting, nullptr);
  CHECK(!second.is_ok() && second.status().code() == Status::Code::kLocked);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
  first.reset();
  CHECK(index::IndexWriter::open(dir, small_options(), nullptr).is_ok());
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("an_existing_index_keeps_its_settings") {
  const std::string dir = temp_dir("writer");
  index::WriterOptions o = small_options();
  o.index.stemmer = "english";
  {
    auto w = open_writer(dir, o);
    CHECK(w->add_texts(texts({{"a", "sailing ships"}}), nullptr).is_ok());
    commit(*w);
  }
  auto w = open_writer(dir);  // asks for no stemmer: the index's own wins
  CHECK_EQ(w->committed().settings.stemmer, std::string("english"));
  CHECK(w->add_texts(texts({{"b", "sailed"}}), nullptr).is_ok());
  commit(*w);
  CHECK_EQ(answers(dir, "sail").size(), std::size_t{2});
  CHECK(remove_tree(dir).is_ok());
}

int main() { return tomes::test::run_all(); }
