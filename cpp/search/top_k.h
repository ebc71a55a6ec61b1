// top_k.h: the collector every query algorithm writes into: the k best
// (doc, score) pairs, higher score first, ties by lower doc id (SPEC 7).
//
// A bounded heap whose root is the worst kept hit. threshold() is what a
// new doc must beat: the root's score once k hits are kept, 0 before (every
// BM25 score is > 0, so any match beats it). Docs are offered in increasing
// doc id (segment by segment, each in doc order), so a doc scoring exactly
// the threshold loses the tie to the root, which came earlier: algorithms
// may skip every doc whose score bound is <= threshold(). insert() still
// orders ties by doc id, so the result is right whatever the order.
//
// The collector lives for one query across all segments, so the threshold
// reached in one segment prunes the next from its first posting.
//
// Deleted docs (segment/deletes.h) are refused here, for every algorithm:
// set_deleted() names the current segment's deleted-doc bits, and insert()
// drops a doc whose bit is set, checked only once the doc would be kept.
// The threshold then rises on live docs alone, and the algorithms' block
// bounds, computed over live and deleted postings, stay upper bounds.
//
// Thread safety: one thread at a time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tomes::search {

struct Hit {
  std::uint32_t doc_id = 0;
  double score = 0;
};

class TopK {
 public:
  // At most k hits; reserve: the most hits that can exist (the index's
  // chunks), so a huge k allocates nothing it cannot use.
  TopK(std::size_t k, std::size_t reserve) : k_(k) { heap_.reserve(std::min(k, reserve)); }

  std::size_t k() const { return k_; }

  // The deleted docs of the segment whose docs come next: bit (doc - base)
  // of bits (word / 64, as SegmentReader::deleted_doc_bits), or nullptr for
  // none. REQUIRES: bits covers every doc offered until the next call.
  void set_deleted(const std::uint64_t* bits, std::uint32_t base) {
    deleted_ = bits;
    deleted_base_ = base;
  }
  double threshold() const { return threshold_; }

  // Keeps (doc, score) if it is among the k best so far. Returns true when
  // the threshold may have risen.
  bool insert(std::uint32_t doc, double score) {
    const Hit hit{doc, score};
    if (heap_.size() < k_) {
      if (deleted(doc)) return false;
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), Better{});
      if (heap_.size() == k_) threshold_ = heap_.front().score;
      return heap_.size() == k_;
    }
    if (k_ == 0 || !better(hit, heap_.front()) || deleted(doc)) return false;
    replace_worst(hit);
    threshold_ = heap_.front().score;
    return true;
  }

  // The hits, best first; the collector is left empty.
  std::vector<Hit> take_sorted() {
    std::sort_heap(heap_.begin(), heap_.end(), Better{});
    std::vector<Hit> out = std::move(heap_);
    heap_.clear();
    threshold_ = 0;
    return out;
  }

  // a ranks before b.
  static bool better(const Hit& a, const Hit& b) {
    return a.score != b.score ? a.score > b.score : a.doc_id < b.doc_id;
  }

 private:
  // better() as a type, so the heap algorithms inline it. As the heap's
  // "less", it puts the worst kept hit at the root.
  struct Better {
    bool operator()(const Hit& a, const Hit& b) const { return better(a, b); }
  };

  bool deleted(std::uint32_t doc) const {
    if (deleted_ == nullptr) return false;
    const std::uint32_t local = doc - deleted_base_;
    return ((deleted_[local >> 6] >> (local & 63)) & 1) != 0;
  }

  // The root (the worst hit) gives way to hit, which sifts down to its
  // place: one pass, where pop_heap + push_heap would make two.
  void replace_worst(const Hit& hit) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      // The worse child (the one ranking after the other) rises.
      if (child + 1 < n && better(heap_[child], heap_[child + 1])) ++child;
      if (!better(hit, heap_[child])) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = hit;
  }

  std::size_t k_;
  double threshold_ = 0;
  std::vector<Hit> heap_;
  const std::uint64_t* deleted_ = nullptr;
  std::uint32_t deleted_base_ = 0;
};

}  // namespace tomes::search
