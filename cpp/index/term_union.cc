#include "index/term_union.h"

#include <algorithm>

namespace tomes::index {

namespace {

// std::*_heap build max-heaps: "after" puts the smallest (key, source) on top.
bool after(const std::string_view& a_key, std::size_t a_source, const std::string_view& b_key,
           std::size_t b_source) {
  return a_key != b_key ? a_key > b_key : a_source > b_source;
}

}  // namespace

TermUnion::TermUnion(const std::vector<const fst::FstReader*>& dictionaries) {
  for (const fst::FstReader* dictionary : dictionaries) {
    streams_.push_back(std::make_unique<fst::FstStream>(*dictionary, fst::FstStream::Bounds{}));
  }
  for (std::size_t source = 0; source < streams_.size(); ++source) advance(source);
}

void TermUnion::advance(std::size_t source) {
  const auto cmp = [](const Head& a, const Head& b) { return after(a.key, a.source, b.key, b.source); };
  Head head;
  head.source = source;
  fst::FstStream& stream = *streams_[source];
  if (stream.next(&head.key, &head.value)) {
    heap_.push_back(head);
    std::push_heap(heap_.begin(), heap_.end(), cmp);
  } else if (!stream.status().is_ok() && status_.is_ok()) {
    status_ = stream.status();
  }
}

bool TermUnion::next(std::string* term, std::vector<Holder>* holders) {
  const auto cmp = [](const Head& a, const Head& b) { return after(a.key, a.source, b.key, b.source); };
  holders->clear();
  if (!status_.is_ok() || heap_.empty()) return false;
  term->assign(heap_.front().key);
  // Every head equal to term, smallest source first (the heap's order).
  while (!heap_.empty() && heap_.front().key == *term) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    const Head head = heap_.back();
    heap_.pop_back();
    holders->push_back(Holder{head.source, head.value});
    advance(head.source);
  }
  return status_.is_ok();
}

}  // namespace tomes::index
