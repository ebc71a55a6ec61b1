// book_directory.h: the live books of an opened index by id: which segment
// and local book each is, and its books.bin record (metadata, source).
// Deleted books are left out, so an id names at most one book.
//
// Built once, in one pass over every segment's book table (a hash table of
// views into the segments' memory maps: about 40 bytes a book); the segments
// must outlive it.
//
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "segment/segment_reader.h"

namespace tomes::search {

class BookDirectory {
 public:
  explicit BookDirectory(const std::vector<std::shared_ptr<segment::SegmentReader>>& segments);

  // The live book named id: NotFound if there is none.
  Result<segment::BookRecord> record(std::string_view id) const;
  std::size_t size() const { return books_.size(); }

 private:
  std::unordered_map<std::string_view, std::pair<const segment::SegmentReader*, std::uint32_t>> books_;
};

}  // namespace tomes::search
