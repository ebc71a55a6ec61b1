#include "search/book_directory.h"

#include <string>

namespace tomes::search {

BookDirectory::BookDirectory(const std::vector<std::shared_ptr<segment::SegmentReader>>& segments) {
  for (const auto& segment : segments) {
    for (std::uint32_t b = 0; b < segment->num_books(); ++b) {
      if (!segment->book_deleted(b)) books_[segment->book_name(b)] = {segment.get(), b};
    }
  }
}

Result<segment::BookRecord> BookDirectory::record(std::string_view id) const {
  const auto it = books_.find(id);
  if (it == books_.end()) return Status::not_found("no book \"" + std::string(id) + "\" in the index");
  return it->second.first->book_record(it->second.second);
}

}  // namespace tomes::search
