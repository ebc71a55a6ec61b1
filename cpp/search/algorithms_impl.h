// algorithms_impl.h: the query algorithms of algorithms.h as templates over
// the cursor type, so the tests can run them on model cursors with blocks
// of any size (the on-disk format's are 128 postings). Cursor keeps the
// contract of cursor.h: doc, next, next_geq, score, max_score,
// shallow_next_geq, block_last_doc, block_max_score.
//
// Include algorithms.h instead unless you need another cursor type.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "postings/postings_format.h"
#include "search/bm25.h"
#include "search/top_k.h"

namespace tomes::search {

using postings::kNoDoc;

namespace detail {

// A doc's score being built: part[g] is query term g's score at the doc,
// the max over the group's cursors there (0 where none matches: x + 0.0 ==
// x, so the zeros change nothing).
class DocScore {
 public:
  explicit DocScore(std::size_t groups) : part_(groups, 0.0) {}
  // Adds cursor score s of group g.
  void add(std::uint32_t g, double s) { part_[g] = std::max(part_[g], s); }
  // The score: the groups summed in query order, the same in every
  // algorithm, bit for bit. Clears the parts.
  double take() {
    double total = 0;
    for (double& x : part_) {
      total += x;
      x = 0.0;
    }
    return total;
  }
  void clear() {
    for (double& x : part_) x = 0.0;
  }
  double part(std::uint32_t g) const { return part_[g]; }
  // An upper bound of the final score when group h's cursors not yet
  // looked at can score at most m[h] (and group g's at most mg): per group
  // the larger of its part so far and that, summed.
  double bound_with(const double* m, std::uint32_t g, double mg) const {
    double total = 0;
    for (std::size_t h = 0; h < part_.size(); ++h) total += std::max(part_[h], h == g ? mg : m[h]);
    return total;
  }

 private:
  std::vector<double> part_;
};

// The essential cursors' current docs as a binary min-heap of (doc, pos):
// the next candidate in O(1), each move in O(log n), however many
// cursors a fuzzy or prefix query brings.
class DocHeap {
 public:
  struct Entry {
    std::uint32_t doc;
    std::uint32_t pos;
  };
  void clear() { heap_.clear(); }
  void push(std::uint32_t doc, std::uint32_t pos) {
    heap_.push_back({doc, pos});
    std::size_t i = heap_.size() - 1;
    while (i > 0 && heap_[(i - 1) / 2].doc > heap_[i].doc) {
      std::swap(heap_[(i - 1) / 2], heap_[i]);
      i = (i - 1) / 2;
    }
  }
  std::uint32_t min_doc() const { return heap_.empty() ? kNoDoc : heap_[0].doc; }
  std::uint32_t top_pos() const { return heap_[0].pos; }
  // Whether no other entry shares the top's doc (its children are the only
  // candidates to).
  bool top_alone() const {
    const std::uint32_t doc = heap_[0].doc;
    return (heap_.size() < 2 || heap_[1].doc != doc) && (heap_.size() < 3 || heap_[2].doc != doc);
  }
  // The smallest doc of the entries but the top (kNoDoc if none): the
  // top's children hold it.
  std::uint32_t second_doc() const {
    std::uint32_t doc = kNoDoc;
    if (heap_.size() > 1) doc = heap_[1].doc;
    if (heap_.size() > 2) doc = std::min(doc, heap_[2].doc);
    return doc;
  }
  // The top entry's doc becomes doc (never less): sift it down.
  void replace_top(std::uint32_t doc) {
    const Entry moved{doc, heap_[0].pos};
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap_[child + 1].doc < heap_[child].doc) ++child;
      if (heap_[child].doc >= moved.doc) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = moved;
  }

 private:
  std::vector<Entry> heap_;
};

inline std::size_t group_count(const std::vector<std::uint32_t>& group) {
  std::uint32_t n = 0;
  for (std::uint32_t g : group) n = std::max(n, g + 1);
  return n;
}

}  // namespace detail

template <class Cursor>
void exhaustive(std::vector<Cursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
                TopK* top) {
  detail::DocScore score(detail::group_count(group));
  for (;;) {
    std::uint32_t doc = kNoDoc;
    for (const Cursor& c : cursors) doc = std::min(doc, c.doc());
    if (doc == kNoDoc) return;
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      if (cursors[i].doc() != doc) continue;
      score.add(group[i], cursors[i].score());
      cursors[i].next();
    }
    top->insert(base + doc, score.take());
  }
}

// One cursor alone (a one-term query, the commonest kind): skip every block
// whose bound cannot beat the threshold, and in the others compute a
// posting's score only when it may beat it (Cursor::may_beat: no division).
template <class Cursor>
void one_cursor(Cursor& c, std::uint32_t base, TopK* top) {
  while (c.doc() != kNoDoc) {
    const std::uint32_t doc = c.doc();
    c.shallow_next_geq(doc);
    if (cannot_beat(c.block_max_score(), top->threshold())) {
      if (c.block_last_doc() == kNoDoc) return;
      c.next_geq(c.block_last_doc() + 1);
      continue;
    }
    const std::uint32_t last = c.block_last_doc();
    for (std::uint32_t d = doc; d <= last && d != kNoDoc; d = c.doc()) {
      if (c.may_beat(top->threshold())) top->insert(base + d, c.score());
      c.next();
    }
  }
}

namespace detail {

// One segment's block-max MaxScore (algorithms.h), a method a step.
template <class Cursor>
class MaxScoreRun {
 public:
  MaxScoreRun(std::vector<Cursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
              TopK* top)
      : cursors_(cursors), group_(group), base_(base), top_(top), n_(cursors.size()),
        groups_(group_count(group)), score_(groups_), none_(groups_, 0.0), window_most_(groups_) {
    sort_by_bound();
    update_first();
  }

  void run() {
    while (first_ < n_) {
      if (heap_first_ != first_) fill_heap();
      std::uint32_t doc = essential_.min_doc();
      if (doc == kNoDoc) return;
      if (doc > window_end_ || window_first_ != first_) make_window(doc);
      if (cannot_beat(window_bound_, top_->threshold())) {
        if (window_end_ == kNoDoc) return;
        skip_window();
        continue;
      }
      if (!score_essential(&doc)) continue;
      if (!score_non_essential(doc)) {
        score_.clear();
      } else if (top_->insert(base_ + doc, score_.take())) {
        update_first();
      }
    }
  }

 private:
  Cursor& at(std::size_t i) { return cursors_[order_[i]]; }
  std::uint32_t group_at(std::size_t i) const { return group_[order_[i]]; }
  // most_[i * groups_ + g] (none_ for i = -1, passed as i = 0 of "before").
  const double* most(std::size_t i) const { return &most_[i * groups_]; }
  const double* most_before(std::size_t i) const { return i > 0 ? most(i - 1) : none_.data(); }

  // order_: cursors by postings, most first (then by max score, lowest
  // first): the partition below makes a prefix non-essential, and the
  // longest lists are the ones worth not enumerating. (By max score alone,
  // a medium term whose loose bound beat a rarer term's kept it essential:
  // measured on the Debian docs, this order cut the mean by 15%, and made
  // no difference on zipf-1G.) most_[i * groups_ + g]: the
  // largest max score among group g's cursors in order_[0..i], so a doc that
  // only order_[0..i] can match scores at most bound_[i], their sum (a
  // group scoring the max of its cursors).
  void sort_by_bound() {
    order_.resize(n_);
    std::iota(order_.begin(), order_.end(), 0);
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      const Cursor& x = cursors_[a];
      const Cursor& y = cursors_[b];
      return x.size() != y.size() ? x.size() > y.size() : x.max_score() < y.max_score();
    });
    most_.assign(n_ * groups_, 0.0);
    bound_.assign(n_, 0.0);
    for (std::size_t i = 0; i < n_; ++i) {
      double* m = &most_[i * groups_];
      if (i > 0) std::copy(m - groups_, m, m);
      m[group_at(i)] = std::max(m[group_at(i)], at(i).max_score());
      for (std::size_t g = 0; g < groups_; ++g) bound_[i] += m[g];
    }
  }

  // order_[first_..n_) are the essential cursors: a doc none of them holds
  // scores at most bound_[first_ - 1], which cannot beat the threshold.
  void update_first() {
    const std::size_t was = first_;
    while (first_ < n_ && cannot_beat(bound_[first_], top_->threshold())) ++first_;
    if (first_ != was || others_.empty()) sum_others();
  }

  // others_[g]: the non-essential bounds of every group but g, summed: what
  // the rest of a doc can add to group g's score at most.
  void sum_others() {
    others_.assign(groups_, 0.0);
    const double* m = most_before(first_);
    for (std::size_t g = 0; g < groups_; ++g) {
      for (std::size_t h = 0; h < groups_; ++h) {
        if (h != g) others_[g] += m[h];
      }
    }
  }

  // The essential cursors by doc, rebuilt whenever the essential set shrinks.
  void fill_heap() {
    heap_first_ = first_;
    essential_.clear();
    for (std::size_t i = first_; i < n_; ++i) essential_.push(at(i).doc(), static_cast<std::uint32_t>(i));
  }

  // The window [doc, window_end_]: inside the current block of every
  // essential cursor, so no doc in it scores more than window_bound_ (per
  // group the largest of its non-essential bound and the block bounds of
  // its essential cursors with a posting in the window, summed). When that cannot beat the threshold the
  // whole window is skipped without decoding (block-max MaxScore, as
  // Lucene's).
  void make_window(std::uint32_t doc) {
    window_first_ = first_;
    window_end_ = kNoDoc;
    for (std::size_t i = first_; i < n_; ++i) {
      Cursor& c = at(i);
      c.shallow_next_geq(doc);
      window_end_ = std::min(window_end_, c.block_last_doc());
    }
    // A cursor whose next posting lies past the window adds nothing to it
    // (a rare term's one long block would otherwise keep every window of a
    // common term alive).
    std::copy(most_before(first_), most_before(first_) + groups_, window_most_.begin());
    for (std::size_t i = first_; i < n_; ++i) {
      Cursor& c = at(i);
      if (c.doc() > window_end_) continue;
      double& m = window_most_[group_at(i)];
      m = std::max(m, c.block_max_score());
    }
    window_bound_ = 0;
    for (double m : window_most_) window_bound_ += m;
  }

  void skip_window() {
    while (essential_.min_doc() <= window_end_) {
      Cursor& c = at(essential_.top_pos());
      c.next_geq(window_end_ + 1);
      essential_.replace_top(c.doc());
    }
  }

  // Scores the essential cursors at *doc and moves them on. When only one
  // is there (the usual case), its postings that cannot beat the threshold
  // even with every other group at its non-essential bound are passed over
  // without the division, and *doc moves to the first that may (false if
  // none before another essential cursor's doc or the window's end).
  bool score_essential(std::uint32_t* doc) {
    if (essential_.top_alone()) {
      const std::size_t i = essential_.top_pos();
      Cursor& c = at(i);
      const double bar = top_->threshold() - others_[group_at(i)];
      // Passed-over postings cost only their test: until another essential
      // cursor's doc or the window's end, nothing run()'s loop checks can
      // change (the threshold moves only on an insert), so the cursor runs
      // on by itself to its next posting that may beat the bar, which
      // becomes the doc scored.
      const std::uint32_t limit =
          std::min(essential_.second_doc(), window_end_ == kNoDoc ? kNoDoc : window_end_ + 1);
      for (;;) {
        if (c.may_beat(bar)) {
          *doc = c.doc();
          score_.add(group_at(i), c.score());
          c.next();
          essential_.replace_top(c.doc());
          return true;
        }
        c.next();
        if (c.doc() >= limit) break;
      }
      essential_.replace_top(c.doc());
      return false;
    }
    while (essential_.min_doc() == *doc) {
      const std::size_t i = essential_.top_pos();
      Cursor& c = at(i);
      score_.add(group_at(i), c.score());
      c.next();
      essential_.replace_top(c.doc());
    }
    return true;
  }

  // The non-essential cursors, highest bound first, while the doc can win;
  // false when it cannot (by the cursors' bounds, then their block bounds).
  bool score_non_essential(std::uint32_t doc) {
    for (std::size_t j = first_; j-- > 0;) {
      Cursor& c = at(j);
      const std::uint32_t g = group_at(j);
      if (c.max_score() <= score_.part(g)) continue;  // cannot raise its group's max
      const double* m = most(j);
      if (cannot_beat(score_.bound_with(m, g, m[g]), top_->threshold())) return false;
      c.shallow_next_geq(doc);
      const double block = std::max(c.block_max_score(), most_before(j)[g]);
      if (cannot_beat(score_.bound_with(m, g, block), top_->threshold())) return false;
      c.next_geq(doc);
      if (c.doc() == doc) score_.add(g, c.score());
    }
    return true;
  }

  std::vector<Cursor>& cursors_;
  const std::vector<std::uint32_t>& group_;
  const std::uint32_t base_;
  TopK* const top_;
  const std::size_t n_, groups_;
  DocScore score_;
  std::vector<std::size_t> order_;
  std::vector<double> most_, bound_;
  const std::vector<double> none_;
  std::size_t first_ = 0;
  DocHeap essential_;
  std::size_t heap_first_ = static_cast<std::size_t>(-1);
  std::uint32_t window_end_ = 0;
  std::size_t window_first_ = static_cast<std::size_t>(-1);
  double window_bound_ = 0;
  std::vector<double> window_most_;
  std::vector<double> others_;
};

}  // namespace detail

template <class Cursor>
void max_score(std::vector<Cursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
               TopK* top) {
  if (cursors.size() == 1) return one_cursor(cursors[0], base, top);
  detail::MaxScoreRun<Cursor>(cursors, group, base, top).run();
}

template <class Cursor>
void block_max_wand(std::vector<Cursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
                    TopK* top) {
  const std::size_t n = cursors.size();
  std::vector<std::size_t> order(n);  // cursors by current doc
  std::iota(order.begin(), order.end(), 0);
  detail::DocScore score(detail::group_count(group));
  auto doc_of = [&](std::size_t i) { return cursors[order[i]].doc(); };
  for (;;) {
    // Insertion sort: after a move only one or a few cursors are out of place.
    for (std::size_t i = 1; i < n; ++i) {
      for (std::size_t j = i; j > 0 && doc_of(j) < doc_of(j - 1); --j) std::swap(order[j], order[j - 1]);
    }
    const double threshold = top->threshold();
    // The pivot: the first cursor at which the max scores so far could beat
    // the threshold; no doc before its doc can. (Summing every cursor's
    // bound over-counts a group of several, which only loosens the bound.)
    double reach = 0;
    std::size_t p = 0;
    for (; p < n && doc_of(p) != kNoDoc; ++p) {
      reach += cursors[order[p]].max_score();
      if (!cannot_beat(reach, threshold)) break;
    }
    if (p == n || doc_of(p) == kNoDoc) return;
    const std::uint32_t pivot = doc_of(p);
    while (p + 1 < n && doc_of(p + 1) == pivot) ++p;
    double block_reach = 0;
    for (std::size_t i = 0; i <= p; ++i) {
      Cursor& c = cursors[order[i]];
      c.shallow_next_geq(pivot);
      block_reach += c.block_max_score();
    }
    if (!cannot_beat(block_reach, threshold)) {
      if (doc_of(0) == pivot) {
        // Every cursor up to p stands on the pivot: score it.
        for (std::size_t i = 0; i <= p; ++i) {
          Cursor& c = cursors[order[i]];
          score.add(group[order[i]], c.score());
          c.next();
        }
        top->insert(base + pivot, score.take());
      } else {
        // Bring the strongest cursor still short of the pivot up to it.
        std::size_t best = 0;
        for (std::size_t i = 1; i < p && doc_of(i) < pivot; ++i) {
          if (cursors[order[i]].max_score() > cursors[order[best]].max_score()) best = i;
        }
        cursors[order[best]].next_geq(pivot);
      }
      continue;
    }
    // No doc from the pivot up to the end of the first block among the
    // cursors' current blocks (or the next cursor's doc) can win: skip there.
    std::uint64_t next = p + 1 < n ? doc_of(p + 1) : std::uint64_t{kNoDoc};
    std::size_t best = 0;
    for (std::size_t i = 0; i <= p; ++i) {
      const Cursor& c = cursors[order[i]];
      next = std::min<std::uint64_t>(next, std::uint64_t{c.block_last_doc()} + 1);
      if (c.max_score() > cursors[order[best]].max_score()) best = i;
    }
    if (next <= pivot) next = std::uint64_t{pivot} + 1;
    cursors[order[best]].next_geq(next >= kNoDoc ? kNoDoc : static_cast<std::uint32_t>(next));
  }
}

}  // namespace tomes::search
