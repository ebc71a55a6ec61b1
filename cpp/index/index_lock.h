// index_lock.h: one writer per index at a time. The lock is flock(2) on
// index_dir/.tomes.lock, so it dies with its process (a writer killed with
// SIGKILL leaves no stale lock); readers never take it.
//
// Thread safety: an IndexLock is owned by one writer; release on destruction.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes::index {

// The lock file, in the index directory (docs/FORMAT.md section 2).
inline constexpr std::string_view kLockFile = ".tomes.lock";

class IndexLock {
 public:
  // Takes the lock without waiting: IOError naming the index if another
  // writer holds it.
  static Result<IndexLock> acquire(const std::string& index_dir);
  IndexLock(IndexLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  IndexLock& operator=(IndexLock&&) = delete;
  IndexLock(const IndexLock&) = delete;
  ~IndexLock();

 private:
  explicit IndexLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tomes::index
