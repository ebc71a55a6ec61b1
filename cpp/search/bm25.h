// bm25.h: one query term's BM25 weight (SPEC 7), and upper bounds of it.
//
//   score(tf, dl) = idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
//
// computed as idf * tf / (tf + c1 + c2 * dl) with c1 = k1 * (1 - b) and
// c2 = k1 * b / avgdl, one division a posting. Every algorithm scores
// through score(), so the pruning ones and the exhaustive one agree to the
// last bit.
//
// Bounds meet rounding twice: a bound's own arithmetic, and sums of bounds
// or partial scores taken in another order than a doc's final score. Both
// are a few ulps (relative 2^-52 each); bound() inflates by a relative
// 2^-40 and cannot_beat() compares with the same slack, so "cannot beat"
// never prunes a doc that belongs in the top k.
//
// Thread safety: a value; const methods only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "postings/postings_reader.h"

namespace tomes::search {

class Bm25 {
 public:
  Bm25() = default;
  // REQUIRES: 1 <= df <= num_docs, avgdl > 0, k1 >= 0 finite, b in [0, 1].
  Bm25(double num_docs, double df, double avgdl, double k1, double b)
      : idf_(std::log(1.0 + (num_docs - df + 0.5) / (df + 0.5))),
        c1_(k1 * (1.0 - b)),
        c2_(k1 * b / avgdl) {}

  double idf() const { return idf_; }

  double score(std::uint32_t tf, std::uint32_t dl) const {
    const double t = tf;
    return idf_ * t / (t + c1_ + c2_ * dl);
  }

  // Whether score(tf, dl) may beat threshold: false only when it surely
  // cannot (the slack of cannot_beat, below), by cross-multiplying instead
  // of dividing.
  bool may_beat(std::uint32_t tf, std::uint32_t dl, double threshold) const {
    const double t = tf;
    return idf_ * t * kInflate > threshold * (t + c1_ + c2_ * dl);
  }

  // An upper bound of score(tf, dl) for every tf <= max_tf and dl >= min_dl
  // (score grows with tf and falls with dl). max_tf = 0xFFFFFFFF means
  // +infinity (postings/postings_reader.h BlockBounds): the bound is then
  // the limit, idf.
  double bound(std::uint32_t max_tf, std::uint32_t min_dl) const {
    const double s = max_tf == 0xFFFFFFFFu ? idf_ : score(max_tf, min_dl);
    return s * kInflate;
  }

  // An upper bound of every score in a block: the largest bound(tf, dl) over
  // its impact pairs, each dominating some of the block's postings
  // (postings/postings_reader.h BlockBounds); 0 for no pairs.
  double bound(const postings::BlockBounds& b) const {
    if (b.count == 0) return 0;
    // Only the last pair can be +infinity (pairs increase in tf).
    if (b.impacts[b.count - 1].tf == 0xFFFFFFFFu) return idf_ * kInflate;
    std::uint32_t best = 0;
    for (std::uint32_t j = 1; j < b.count; ++j) {
      if (beats(b.impacts[j], b.impacts[best])) best = j;
    }
    return bound(b.impacts[best].tf, b.impacts[best].dl);
  }

  // Whether pair p scores above pair q, without a division: tf / (tf + K)
  // grows with tf / K (K = c1 + c2 * dl >= 0), so p wins when
  // tf_p * K_q > tf_q * K_p. Near ties may go either way by an ulp, which
  // bound()'s inflation covers. REQUIRES: finite tfs (not 0xFFFFFFFF).
  bool beats(const postings::Impact& p, const postings::Impact& q) const {
    return double(p.tf) * (c1_ + c2_ * q.dl) > double(q.tf) * (c1_ + c2_ * p.dl);
  }

 private:
  static constexpr double kInflate = 1.0 + 1.0 / (1ull << 40);
  double idf_ = 0;
  double c1_ = 0;
  double c2_ = 0;
};

// Whether a doc whose score is at most `bound` (an upper bound made of
// bounds and partial scores) surely cannot enter a collector at
// `threshold` (top_k.h: a doc must score above it).
inline bool cannot_beat(double bound, double threshold) {
  return bound * (1.0 + 1.0 / (1ull << 40)) <= threshold;
}

}  // namespace tomes::search
