// term_union.h: the union of several segments' term dictionaries (terms.fst),
// walked in byte order: a k-way merge of one FstStream per dictionary
// through a min-heap of their current keys. Each distinct term comes out
// once, with the dictionaries that hold it (in the order given) and its
// ordinal in each. Memory: one stream and one heap entry per dictionary,
// whatever their size.
//
// Thread safety: a TermUnion belongs to one thread. REQUIRES: the readers
// outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fst/fst_reader.h"

namespace tomes::index {

class TermUnion {
 public:
  // Where a term is found: dictionary `source` (its index in the vector
  // given to the constructor), under ordinal `ordinal`.
  struct Holder {
    std::size_t source = 0;
    std::uint64_t ordinal = 0;
  };

  explicit TermUnion(const std::vector<const fst::FstReader*>& dictionaries);
  TermUnion(const TermUnion&) = delete;
  TermUnion& operator=(const TermUnion&) = delete;

  // The next distinct term in byte order into *term, and its holders in
  // source order into *holders. False at the end or when a dictionary is
  // damaged (status() says which).
  bool next(std::string* term, std::vector<Holder>* holders);
  const Status& status() const { return status_; }

 private:
  struct Head {
    std::string_view key;  // the stream's current key, valid until its next()
    std::uint64_t value = 0;
    std::size_t source = 0;
  };
  // Advances source's stream and puts its new head on the heap, if any.
  void advance(std::size_t source);

  std::vector<std::unique_ptr<fst::FstStream>> streams_;
  std::vector<Head> heap_;  // a min-heap on (key, source)
  Status status_;
};

}  // namespace tomes::index
