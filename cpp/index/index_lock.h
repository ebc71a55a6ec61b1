// index_lock.h: one writer per index at a time. The lock is flock(2) on
// index_dir/.tomes.lock, so it dies with its process (a writer killed with
// SIGKILL leaves no stale lock); readers never take it.
//
// Thread safety: an IndexLock is owned by one writer; release on destruction.
#pragma once

#include <functional>

#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes::index {

// The lock file, in the index directory (docs/FORMAT.md section 2).
inline constexpr std::string_view kLockFile = ".tomes.lock";

class IndexLock {
 public:
  // Takes the lock, waiting up to timeout_seconds (0: not at all) while
  // another writer holds it: then Locked naming the index and the wait.
  // should_stop (may be null), polled while waiting, cancels (Cancelled).
  static Result<IndexLock> acquire(const std::string& index_dir, double timeout_seconds = 0,
                                   const std::function<bool()>& should_stop = nullptr);
  IndexLock(IndexLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  IndexLock& operator=(IndexLock&&) = delete;
  IndexLock(const IndexLock&) = delete;
  ~IndexLock();

 private:
  explicit IndexLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tomes::index
