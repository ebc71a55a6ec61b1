// test_search.cc: the query algorithms (search/algorithms.h) against the
// exhaustive scorer and the exhaustive scorer against BM25 written out.
//
// Two levels, seeded loops:
//   - model cursors: random posting lists cut into blocks of 1 to 9 postings
//     (and 128), bounds exact or loose, many "segments" sharing one
//     collector, k from 1 to 1000, k1 in [0.1, 3], b in [0, 1]: every
//     pruning algorithm returns exactly (bit for bit) the exhaustive
//     scorer's ids and scores, which equal a brute-force BM25 top k;
//   - real indexes: books with a zipfian vocabulary, many segments, term
//     lists of thousands of postings (many 128-blocks), queries of 1 to 8
//     terms (common, rare, repeated, unknown, prefix, fuzzy): every
//     algorithm through IndexReader::search equals the exhaustive one.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "temp_files.h"
#include "common/file_system.h"
#include "index/pipeline.h"
#include "search/algorithms.h"
#include "search/algorithms_impl.h"
#include "search/bm25.h"
#include "search/index_reader.h"
#include "search/top_k.h"

using namespace tomes;
using tomes::test::temp_dir;
using tomes::test::write_file;
using search::Bm25;
using search::Hit;
using search::kNoDoc;
using search::TopK;

namespace {

// One term's postings in one model segment.
struct ModelList {
  std::vector<std::uint32_t> docs, tfs;
};

// A cursor over a ModelList with blocks of block_size postings; bounds per
// block either exact (the max of the block's scores) or loose (max tf with
// min dl, as the skip table gives).
class ModelCursor {
 public:
  ModelCursor(const ModelList* list, const std::vector<std::uint32_t>* lengths, Bm25 weight,
              std::size_t block_size, bool exact_bounds)
      : list_(list), lengths_(lengths), weight_(weight), block_size_(block_size) {
    for (std::size_t start = 0; start < list->docs.size(); start += block_size) {
      const std::size_t end = std::min(list->docs.size(), start + block_size);
      std::uint32_t max_tf = 0, min_dl = 0xFFFFFFFFu;
      double exact = 0;
      for (std::size_t i = start; i < end; ++i) {
        max_tf = std::max(max_tf, list->tfs[i]);
        min_dl = std::min(min_dl, (*lengths)[list->docs[i]]);
        exact = std::max(exact, weight.score(list->tfs[i], (*lengths)[list->docs[i]]));
      }
      block_bound_.push_back(exact_bounds ? exact * (1 + 1e-12)
                                          : weight.bound(max_tf, min_dl));
      block_last_.push_back(list->docs[end - 1]);
      max_score_ = std::max(max_score_, block_bound_.back());
    }
    shallow_next_geq(0);
  }
  std::uint32_t doc() const { return pos_ < list_->docs.size() ? list_->docs[pos_] : kNoDoc; }
  void next() { ++pos_; }
  void next_geq(std::uint32_t target) {
    while (pos_ < list_->docs.size() && list_->docs[pos_] < target) ++pos_;
  }
  double score() const { return weight_.score(list_->tfs[pos_], (*lengths_)[list_->docs[pos_]]); }
  double max_score() const { return max_score_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(list_->docs.size()); }
  bool may_beat(double threshold) const {
    return weight_.may_beat(list_->tfs[pos_], (*lengths_)[list_->docs[pos_]], threshold);
  }
  void shallow_next_geq(std::uint32_t target) {
    std::size_t b = std::max(shallow_, pos_ / block_size_);
    while (b < block_last_.size() && block_last_[b] < target) ++b;
    shallow_ = b;
  }
  std::uint32_t block_last_doc() const { return shallow_ < block_last_.size() ? block_last_[shallow_] : kNoDoc; }
  double block_max_score() const { return shallow_ < block_last_.size() ? block_bound_[shallow_] : 0.0; }

 private:
  const ModelList* list_;
  const std::vector<std::uint32_t>* lengths_;
  Bm25 weight_;
  std::size_t block_size_;
  std::vector<double> block_bound_;
  std::vector<std::uint32_t> block_last_;
  double max_score_ = 0;
  std::size_t pos_ = 0;
  std::size_t shallow_ = 0;
};

template <class Run>
std::vector<Hit> run_model(const std::vector<std::vector<ModelList>>& segments,
                           const std::vector<std::vector<std::uint32_t>>& lengths,
                           const std::vector<Bm25>& weights, const std::vector<std::uint32_t>& term_group,
                           std::size_t k, std::size_t block_size, bool exact_bounds, Run run) {
  TopK top(k, 1 << 20);
  std::uint32_t base = 0;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    std::vector<ModelCursor> cursors;
    std::vector<std::uint32_t> group;
    for (std::size_t t = 0; t < weights.size(); ++t) {
      if (segments[s][t].docs.empty()) continue;  // as IndexReader leaves a segment's absent terms out
      cursors.emplace_back(&segments[s][t], &lengths[s], weights[t], block_size, exact_bounds);
      group.push_back(term_group[t]);
    }
    if (!cursors.empty()) run(cursors, group, base, &top);
    base += static_cast<std::uint32_t>(lengths[s].size());
  }
  return top.take_sorted();
}

bool same_hits(const std::vector<Hit>& a, const std::vector<Hit>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].doc_id != b[i].doc_id || a[i].score != b[i].score) return false;
  }
  return true;
}

// A random posting list over num_docs docs: density from very common to
// very rare, tfs mostly small with a heavy tail.
ModelList random_list(std::mt19937& rng, std::uint32_t num_docs, double density) {
  ModelList list;
  std::bernoulli_distribution in(density);
  std::geometric_distribution<std::uint32_t> tf(0.5);
  for (std::uint32_t d = 0; d < num_docs; ++d) {
    if (!in(rng)) continue;
    list.docs.push_back(d);
    list.tfs.push_back(1 + (rng() % 50 == 0 ? rng() % 100 : tf(rng)));
  }
  return list;
}

}  // namespace

TEST_CASE("top_k_keeps_the_k_best_with_ties_by_lower_doc_id") {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    const std::size_t k = 1 + rng() % 20;
    std::vector<Hit> all;
    TopK top(k, 100);
    for (std::uint32_t d = 0; d < 60; ++d) {
      const double score = 1 + rng() % 7;  // many ties
      all.push_back({d, score});
      top.insert(d, score);
    }
    std::sort(all.begin(), all.end(), TopK::better);
    all.resize(std::min(k, all.size()));
    CHECK(same_hits(top.take_sorted(), all));
  }
}

TEST_CASE("pruning_algorithms_equal_exhaustive_on_model_cursors_with_tiny_blocks") {
  std::mt19937 rng(11);
  int compared = 0;
  for (int round = 0; round < 1500; ++round) {
    const std::size_t num_segments = 1 + rng() % 4;
    const std::size_t terms = 1 + rng() % 8;
    // Query terms: each indexed term belongs to one; some hold several
    // (as fuzzy and prefix expansions do), scored by their max.
    const std::size_t query_terms = 1 + rng() % terms;
    std::vector<std::uint32_t> term_group(terms);
    for (std::size_t t = 0; t < terms; ++t) {
      term_group[t] = static_cast<std::uint32_t>(t < query_terms ? t : rng() % query_terms);
    }
    const std::size_t block_sizes[] = {1, 2, 3, 4, 5, 7, 9, 128};
    const std::size_t block_size = block_sizes[rng() % 8];
    const bool exact_bounds = rng() % 2 == 0;
    std::vector<std::vector<ModelList>> segments(num_segments);
    std::vector<std::vector<std::uint32_t>> lengths(num_segments);
    std::vector<double> density(terms);
    for (double& x : density) x = std::pow(10.0, -3.0 * std::uniform_real_distribution<>(0, 1)(rng));
    std::uint64_t total_docs = 0, total_length = 0;
    std::vector<std::uint64_t> df(terms, 0);
    for (std::size_t s = 0; s < num_segments; ++s) {
      const std::uint32_t num_docs = 1 + rng() % 800;
      for (std::uint32_t d = 0; d < num_docs; ++d) {
        lengths[s].push_back(1 + rng() % (rng() % 5 == 0 ? 2000 : 60));
        total_length += lengths[s].back();
      }
      total_docs += num_docs;
      for (std::size_t t = 0; t < terms; ++t) {
        segments[s].push_back(random_list(rng, num_docs, density[t]));
        df[t] += segments[s][t].docs.size();
      }
    }
    const double k1 = std::uniform_real_distribution<>(0.1, 3.0)(rng);
    const double b = rng() % 5 == 0 ? (rng() % 2) * 1.0 : std::uniform_real_distribution<>(0.0, 1.0)(rng);
    const double avgdl = static_cast<double>(total_length) / static_cast<double>(total_docs);
    std::vector<Bm25> weights;
    for (std::size_t t = 0; t < terms; ++t) {
      weights.emplace_back(static_cast<double>(total_docs), static_cast<double>(std::max<std::uint64_t>(df[t], 1)),
                           avgdl, k1, b);
    }
    const std::size_t k = rng() % 3 == 0 ? 1 + rng() % 1000 : 1 + rng() % 12;
    using Cursors = std::vector<ModelCursor>;
    using Groups = std::vector<std::uint32_t>;
    const std::vector<Hit> oracle =
        run_model(segments, lengths, weights, term_group, k, block_size, exact_bounds,
                  [](Cursors& c, const Groups& g, std::uint32_t base, TopK* top) { search::exhaustive(c, g, base, top); });
    // The oracle against BM25 summed here, in query order, doc by doc.
    std::vector<Hit> brute;
    std::uint32_t base = 0;
    for (std::size_t s = 0; s < num_segments; ++s) {
      // part[d][g]: query term g's score at doc d, the max over its terms.
      std::vector<std::vector<double>> part(lengths[s].size(), std::vector<double>(query_terms, 0.0));
      std::vector<bool> matched(lengths[s].size(), false);
      for (std::size_t t = 0; t < terms; ++t) {
        const ModelList& list = segments[s][t];
        for (std::size_t i = 0; i < list.docs.size(); ++i) {
          double& p = part[list.docs[i]][term_group[t]];
          p = std::max(p, weights[t].score(list.tfs[i], lengths[s][list.docs[i]]));
          matched[list.docs[i]] = true;
        }
      }
      for (std::uint32_t d = 0; d < part.size(); ++d) {
        double score = 0;
        for (double p : part[d]) score += p;
        if (matched[d]) brute.push_back({base + d, score});
      }
      base += static_cast<std::uint32_t>(lengths[s].size());
    }
    std::sort(brute.begin(), brute.end(), TopK::better);
    brute.resize(std::min(brute.size(), k));
    CHECK(same_hits(oracle, brute));
    const std::vector<Hit> maxscore =
        run_model(segments, lengths, weights, term_group, k, block_size, exact_bounds,
                  [](Cursors& c, const Groups& g, std::uint32_t base, TopK* top) { search::max_score(c, g, base, top); });
    const std::vector<Hit> bmw = run_model(
        segments, lengths, weights, term_group, k, block_size, exact_bounds,
        [](Cursors& c, const Groups& g, std::uint32_t base, TopK* top) { search::block_max_wand(c, g, base, top); });
    if (!same_hits(maxscore, oracle) || !same_hits(bmw, oracle)) {
      std::fprintf(stderr, "round %d: terms %zu block %zu k %zu exact %d: maxscore %s, bmw %s\n", round,
                   terms, block_size, k, exact_bounds, same_hits(maxscore, oracle) ? "ok" : "DIFFERS",
                   same_hits(bmw, oracle) ? "ok" : "DIFFERS");
    }
    CHECK(same_hits(maxscore, oracle));
    CHECK(same_hits(bmw, oracle));
    ++compared;
  }
  CHECK_EQ(compared, 1500);
}

namespace {

// A vocabulary of made-up words; word i is drawn with weight 1 / (i + 1).
std::vector<std::string> vocabulary(std::size_t n) {
  std::vector<std::string> words;
  const char* syllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "shi", "vo", "ze", "pa"};
  for (std::size_t i = 0; i < n; ++i) {
    std::string w;
    std::size_t x = i + 10;
    while (x > 0) {
      w += syllables[x % 10];
      x /= 10;
    }
    words.push_back(w);
  }
  return words;
}

void write_zipf_books(const std::string& dir, const std::vector<std::string>& words, int books, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> weights;
  for (std::size_t i = 0; i < words.size(); ++i) weights.push_back(1.0 / static_cast<double>(i + 1));
  std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
  CHECK(make_directories(dir).is_ok());
  for (int b = 0; b < books; ++b) {
    std::string text;
    const int paragraphs = 1 + static_cast<int>(rng() % 40);
    for (int p = 0; p < paragraphs; ++p) {
      const int n = 1 + static_cast<int>(rng() % (rng() % 4 == 0 ? 400 : 40));
      for (int w = 0; w < n; ++w) text += words[pick(rng)] + (rng() % 9 == 0 ? ". " : " ");
      text += "\n\n";
    }
    write_file(dir + "/book" + std::to_string(b) + ".txt", text);
  }
}

}  // namespace

TEST_CASE("every_algorithm_equals_exhaustive_on_real_indexes") {
  const std::string dir = temp_dir("search");
  const std::vector<std::string> words = vocabulary(400);
  write_zipf_books(dir + "/books", words, 120, 5);
  index::IndexOptions o;
  o.parse.chunk_size = 120;
  o.parse.chunk_overlap = 10;
  o.batch_size = 13;  // many segments
  o.threads = 2;
  Result<index::IndexReport> report = index::index_corpus(dir + "/books", dir + "/ix", o, nullptr);
  CHECK(report.is_ok());
  if (!report.is_ok()) return;
  Result<std::shared_ptr<search::IndexReader>> opened = search::IndexReader::open(dir + "/ix");
  CHECK(opened.is_ok());
  const search::IndexReader& ix = *opened.value();
  CHECK(ix.segments().size() >= 5);
  std::uint64_t df = 0;
  CHECK(ix.doc_freq(words[0]).is_ok());
  df = ix.doc_freq(words[0]).value();
  CHECK(df > 1000);  // the commonest term spans many blocks in a segment
  std::mt19937 rng(9);
  int compared = 0;
  for (int round = 0; round < 400; ++round) {
    std::string query;
    const int terms = 1 + static_cast<int>(rng() % 8);
    for (int t = 0; t < terms; ++t) {
      const std::size_t band = rng() % 3;
      const std::size_t i = band == 0 ? rng() % 10 : band == 1 ? 10 + rng() % 90 : 100 + rng() % 300;
      std::string w = rng() % 15 == 0 ? "zzunknown" : words[i];
      if (rng() % 10 == 0) w = w.substr(0, 3) + "*";
      if (rng() % 10 == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
      query += w + " ";
      if (rng() % 8 == 0) query += w + " ";  // repeated
    }
    search::SearchOptions options;
    options.k = rng() % 3 == 0 ? 1 + rng() % 1000 : 1 + rng() % 12;
    options.k1 = std::uniform_real_distribution<>(0.1, 3.0)(rng);
    options.b = std::uniform_real_distribution<>(0.0, 1.0)(rng);
    options.fuzzy = rng() % 6 == 0 ? 1 + rng() % 2 : 0;
    options.algorithm = search::Algorithm::kExhaustive;
    std::vector<Hit> oracle;
    CHECK(ix.search(query, options, &oracle).is_ok());
    for (search::Algorithm a : {search::Algorithm::kMaxScore, search::Algorithm::kBlockMaxWand,
                                search::Algorithm::kDefault}) {
      options.algorithm = a;
      std::vector<Hit> hits;
      CHECK(ix.search(query, options, &hits).is_ok());
      if (!same_hits(hits, oracle)) {
        std::fprintf(stderr, "query \"%s\" k=%zu fuzzy=%u: %s differs\n", query.c_str(), options.k,
                     options.fuzzy, search::algorithm_name(a));
      }
      CHECK(same_hits(hits, oracle));
    }
    ++compared;
  }
  CHECK_EQ(compared, 400);
  CHECK(remove_tree(dir).is_ok());
}

int main() { return tomes::test::run_all(); }
