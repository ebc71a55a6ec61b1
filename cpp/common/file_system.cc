#include "common/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tomes {

Status errno_status(const std::string& what, const std::string& path, int err) {
  std::string message = path + ": " + what + ": " + std::strerror(err);
  if (err == ENOENT) return Status::not_found(message);
  return Status::io_error(message);
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) != 0) return errno_status("cannot create directory", path, errno);
  return Status::ok();
}

Status make_directories(const std::string& path) {
  if (path.empty() || is_directory(path)) return Status::ok();
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (Status s = make_directories(path.substr(0, slash)); !s.is_ok()) return s;
  }
  if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) {
    return errno_status("cannot create directory", path, errno);
  }
  if (!is_directory(path)) return Status::io_error(path + ": exists and is not a directory");
  return Status::ok();
}

Status remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::ok();
    return errno_status("cannot inspect", path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    Result<std::vector<std::string>> names = list_directory(path);
    if (!names.is_ok()) return names.status();
    for (const std::string& name : names.value()) {
      if (Status s = remove_tree(path + "/" + name); !s.is_ok()) return s;
    }
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return errno_status("cannot remove", path, errno);
    return Status::ok();
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("cannot remove", path, errno);
  return Status::ok();
}

Status rename_path(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return errno_status("cannot rename to " + to, from, errno);
  }
  return Status::ok();
}

Result<std::uint64_t> file_size(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return errno_status("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::io_error(path + ": not a regular file");
  return static_cast<std::uint64_t>(st.st_size);
}

Status sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open directory", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems refuse fsync on directories (EINVAL): nothing to make durable there.
  if (rc != 0 && err != EINVAL) return errno_status("cannot fsync directory", path, err);
  return Status::ok();
}

Result<std::vector<std::string>> list_directory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return errno_status("cannot list directory", path, errno);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int err = errno;
  ::closedir(dir);
  if (err != 0) return errno_status("cannot list directory", path, err);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno_status("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::io_error(path + ": not a regular file");
  }
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return errno_status("cannot read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Status::corruption(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace tomes
