#include "index/index_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>
#include <cstring>


namespace tomes::index {

namespace {

std::string format_seconds(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

}  // namespace

Result<IndexLock> IndexLock::acquire(const std::string& index_dir, double timeout_seconds,
                                     const std::function<bool()>& should_stop) {
  const std::string path = index_dir + "/" + std::string(kLockFile);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::io_error(path + ": cannot open the lock file: " + std::strerror(errno));
  // Polled rather than a blocking flock, so the wait has a deadline and a
  // Ctrl-C can end it: 10 ms at first, doubling to 100 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  auto pause = std::chrono::milliseconds(10);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      if (err != EWOULDBLOCK) return Status::io_error(path + ": cannot lock: " + std::strerror(err));
      return Status::locked(index_dir + ": another writer holds this index (lock " + path + ")" +
                            (timeout_seconds > 0 ? " and did not release it within " + format_seconds(timeout_seconds)
                                                 : std::string()) +
                            "; wait for it to finish, or pass timeout= to wait");
    }
    if (should_stop && should_stop()) {
      ::close(fd);
      return Status::cancelled(index_dir + ": stopped waiting for the index lock");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
  return IndexLock(fd);
}

IndexLock::~IndexLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace tomes::index
