#include "index/index_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace tomes::index {

Result<IndexLock> IndexLock::acquire(const std::string& index_dir) {
  const std::string path = index_dir + "/" + std::string(kLockFile);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::io_error(path + ": cannot open the lock file: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::io_error(index_dir + ": another writer is indexing into this index (lock " + path +
                              " is held); wait for it to finish");
    }
    return Status::io_error(path + ": cannot lock: " + std::strerror(err));
  }
  return IndexLock(fd);
}

IndexLock::~IndexLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace tomes::index
