// mapped_file.h: a whole file mapped read-only into memory, and files
// written atomically (temporary name, fsync, rename).
//
// A MappedFile never changes under its readers as long as the file is
// replaced by rename (as every tomes writer does) rather than rewritten in
// place: the mapping keeps the old inode alive.
//
// Thread safety: a MappedFile is immutable; share it freely.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes {

class MappedFile {
 public:
  // Maps the regular file at path; IOError (or NotFound) naming the path.
  static Result<std::shared_ptr<MappedFile>> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  const std::string& path() const { return path_; }

  // Drops the mapping's resident pages from this process (they stay in the
  // page cache, and a later read maps them again): a long sequential reader
  // such as a merge calls it now and then, so that what it has read stops
  // counting in its RSS. The bytes seen do not change.
  void release_pages() const;

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::string path_;
};

// Writes bytes to path so that path holds either its old content or all of
// the new one, whatever happens: a temporary file beside it, fsync, rename.
Status write_file_atomic(const std::string& path, std::string_view bytes);

// A temporary name beside path, unique to this process and call.
std::string temporary_path_for(const std::string& path);

}  // namespace tomes
