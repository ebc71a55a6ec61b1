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
#include "search/top_k.h"

namespace tomes::search {

using postings::kNoDoc;

namespace detail {

// The sum of a doc's group scores in query order: part[g] is group g's
// score at the doc, 0 where it does not match (x + 0.0 == x, so the zeros
// change nothing), which is what exhaustive() sums.
inline double sum_in_query_order(const std::vector<double>& part) {
  double total = 0;
  for (double x : part) total += x;
  return total;
}

}  // namespace detail

template <class Cursor>
void exhaustive(std::vector<Cursor>& groups, std::uint32_t base, TopK* top) {
  for (;;) {
    std::uint32_t doc = kNoDoc;
    for (const Cursor& g : groups) doc = std::min(doc, g.doc());
    if (doc == kNoDoc) return;
    double score = 0;
    for (Cursor& g : groups) {
      if (g.doc() != doc) continue;
      score += g.score();
      g.next();
    }
    top->insert(base + doc, score);
  }
}

template <class Cursor>
void max_score(std::vector<Cursor>& groups, std::uint32_t base, TopK* top) {
  const std::size_t n = groups.size();
  // order: groups by max score, ascending; bound[i]: the max scores of
  // order[0..i] summed.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return groups[a].max_score() < groups[b].max_score();
  });
  std::vector<double> bound(n);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) bound[i] = sum += groups[order[i]].max_score();
  // order[first..n) are the essential groups: a doc none of them holds
  // scores at most bound[first - 1] <= threshold.
  std::size_t first = 0;
  auto update_first = [&] {
    while (first < n && bound[first] <= top->threshold()) ++first;
  };
  update_first();
  std::vector<double> part(n, 0.0);
  while (first < n) {
    std::uint32_t doc = kNoDoc;
    for (std::size_t i = first; i < n; ++i) doc = std::min(doc, groups[order[i]].doc());
    if (doc == kNoDoc) return;
    double score = 0;  // a partial sum, for pruning only
    for (std::size_t i = first; i < n; ++i) {
      Cursor& g = groups[order[i]];
      if (g.doc() != doc) continue;
      score += part[order[i]] = g.score();
      g.next();
    }
    // The non-essential groups, highest bound first, while the doc can win.
    bool alive = true;
    for (std::size_t j = first; j-- > 0;) {
      const double rest = j > 0 ? bound[j - 1] : 0.0;
      Cursor& g = groups[order[j]];
      if (score + g.max_score() + rest <= top->threshold()) {
        alive = false;
        break;
      }
      g.shallow_next_geq(doc);
      if (score + g.block_max_score() + rest <= top->threshold()) {
        alive = false;
        break;
      }
      g.next_geq(doc);
      if (g.doc() == doc) score += part[order[j]] = g.score();
    }
    if (alive && top->insert(base + doc, detail::sum_in_query_order(part))) update_first();
    std::fill(part.begin(), part.end(), 0.0);
  }
}

template <class Cursor>
void block_max_wand(std::vector<Cursor>& groups, std::uint32_t base, TopK* top) {
  const std::size_t n = groups.size();
  std::vector<std::size_t> order(n);  // groups by current doc
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> part(n, 0.0);
  auto doc_of = [&](std::size_t i) { return groups[order[i]].doc(); };
  for (;;) {
    // Insertion sort: after a move only one or a few cursors are out of place.
    for (std::size_t i = 1; i < n; ++i) {
      for (std::size_t j = i; j > 0 && doc_of(j) < doc_of(j - 1); --j) std::swap(order[j], order[j - 1]);
    }
    const double threshold = top->threshold();
    // The pivot: the first cursor at which the max scores so far beat the
    // threshold; no doc before its doc can.
    double reach = 0;
    std::size_t p = 0;
    for (; p < n && doc_of(p) != kNoDoc; ++p) {
      reach += groups[order[p]].max_score();
      if (reach > threshold) break;
    }
    if (p == n || doc_of(p) == kNoDoc) return;
    const std::uint32_t pivot = doc_of(p);
    while (p + 1 < n && doc_of(p + 1) == pivot) ++p;
    double block_reach = 0;
    for (std::size_t i = 0; i <= p; ++i) {
      Cursor& g = groups[order[i]];
      g.shallow_next_geq(pivot);
      block_reach += g.block_max_score();
    }
    if (block_reach > threshold) {
      if (doc_of(0) == pivot) {
        // Every cursor up to p stands on the pivot: score it.
        for (std::size_t i = 0; i <= p; ++i) {
          Cursor& g = groups[order[i]];
          part[order[i]] = g.score();
          g.next();
        }
        top->insert(base + pivot, detail::sum_in_query_order(part));
        std::fill(part.begin(), part.end(), 0.0);
      } else {
        // Bring the strongest cursor still short of the pivot up to it.
        std::size_t best = 0;
        for (std::size_t i = 1; i < p && doc_of(i) < pivot; ++i) {
          if (groups[order[i]].max_score() > groups[order[best]].max_score()) best = i;
        }
        groups[order[best]].next_geq(pivot);
      }
      continue;
    }
    // No doc from the pivot up to the end of the first block among the
    // cursors' current blocks (or the next cursor's doc) can win: skip there.
    std::uint64_t next = p + 1 < n ? doc_of(p + 1) : std::uint64_t{kNoDoc};
    std::size_t best = 0;
    for (std::size_t i = 0; i <= p; ++i) {
      const Cursor& g = groups[order[i]];
      next = std::min<std::uint64_t>(next, std::uint64_t{g.block_last_doc()} + 1);
      if (g.max_score() > groups[order[best]].max_score()) best = i;
    }
    if (next <= pivot) next = std::uint64_t{pivot} + 1;
    groups[order[best]].next_geq(next >= kNoDoc ? kNoDoc : static_cast<std::uint32_t>(next));
  }
}

}  // namespace tomes::search
